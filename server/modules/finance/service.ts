import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { BASE_CURRENCY } from './fx.ts'
import { averageBalance, workingCapital } from './working-capital.ts'

const DAY = 86_400_000
/** Balances are averaged over these points of the window: its start, thirds and end. */
const SAMPLES = 4

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export interface WorkingCapitalReport {
  currency: string
  windowDays: number
  from: string
  to: string
  averageInventory: number | null
  averageReceivables: number | null
  averagePayables: number | null
  revenue: number
  cogs: number
  dio: number | null
  dso: number | null
  dpo: number | null
  ccc: number | null
}

/**
 * Working capital over the last `days` (SPEC §3): inventory valued at unit cost from the stock
 * ledger's daily net movements (stock at the end of each sample day, UTC), receivables and payables
 * outstanding (issued, not yet paid) on each sample day, revenue and cost of goods sold from the
 * daily sales rollup. A figure whose denominator is zero is null ("no value"), never 0.
 */
export async function workingCapitalReport(ctx: AppContext, days = 90): Promise<WorkingCapitalReport> {
  const [report] = await workingCapitalEndingAt(ctx, [ctx.clock.ms()], days)
  return report!
}

/**
 * The same report for windows of `days` ending every `step` days, the last one now: `points`
 * reports, oldest first. Its last point is exactly `workingCapitalReport(ctx, days)`.
 */
export async function workingCapitalTrend(
  ctx: AppContext,
  options: { days: number; step: number; points: number },
) {
  const now = ctx.clock.ms()
  const ends = Array.from(
    { length: options.points },
    (_, i) => now - (options.points - 1 - i) * options.step * DAY,
  )
  return {
    currency: BASE_CURRENCY,
    windowDays: options.days,
    stepDays: options.step,
    points: await workingCapitalEndingAt(ctx, ends, options.days),
  }
}

/** One report per window end (epoch ms), with four queries whatever the number of windows. */
async function workingCapitalEndingAt(
  ctx: AppContext,
  ends: number[],
  days: number,
): Promise<WorkingCapitalReport[]> {
  const windows = ends.map((to) => {
    const from = to - days * DAY
    const samples = Array.from({ length: SAMPLES }, (_, i) => dayOf(from + ((to - from) * i) / (SAMPLES - 1)))
    return { from, to, samples }
  })
  const sampleDays = [...new Set(windows.flatMap((w) => w.samples))]
  const [inventory, receivables, payables, sales] = await Promise.all([
    inventoryOn(ctx, sampleDays),
    openOn(ctx, 'receivables', sampleDays),
    openOn(ctx, 'payables', sampleDays),
    salesIn(
      ctx,
      windows.map((w) => [dayOf(w.from), dayOf(w.to)]),
    ),
  ])
  return windows.map((w, i) => {
    const at = (balances: Map<string, number>) => w.samples.map((day) => balances.get(day) ?? 0)
    const averages = {
      averageInventory: averageBalance(at(inventory)),
      averageReceivables: averageBalance(at(receivables)),
      averagePayables: averageBalance(at(payables)),
    }
    const { revenue, cogs } = sales[i]!
    const figures = workingCapital({
      averageInventory: averages.averageInventory ?? 0,
      averageReceivables: averages.averageReceivables ?? 0,
      averagePayables: averages.averagePayables ?? 0,
      cogs,
      revenue,
      days,
    })
    return {
      currency: BASE_CURRENCY,
      windowDays: days,
      from: new Date(w.from).toISOString(),
      to: new Date(w.to).toISOString(),
      ...averages,
      revenue,
      cogs,
      ...figures,
    }
  })
}

/**
 * Stock value at unit cost at the end of each day: the running sum of the daily net movements
 * (Σ quantity × cost over days ≤ d, which equals Σ per SKU of its stock × its cost).
 */
async function inventoryOn(ctx: AppContext, days: string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ day: string; value: string }>`
    with daily as (
      select s.day, sum(s.quantity * p.unit_cost) as value
      from stock_daily s join products p using (sku) group by s.day
    ), running as (select day, sum(value) over (order by day) as value from daily)
    select d.day::text as day,
      coalesce((select r.value from running r where r.day <= d.day order by r.day desc limit 1), 0) as value
    from unnest(${days}::date[]) as d(day)`.execute(ctx.db)
  return new Map(rows.map((r) => [r.day, Number(r.value)]))
}

/** Invoices issued on or before each day and not paid by its end, in the base currency. */
async function openOn(
  ctx: AppContext,
  table: 'receivables' | 'payables',
  days: string[],
): Promise<Map<string, number>> {
  const { rows } = await sql<{ day: string; value: string }>`
    select d.day::text as day, coalesce(sum(i.amount_base), 0) as value
    from unnest(${days}::date[]) as d(day)
    left join ${sql.table(table)} i on i.issued_on <= d.day and (i.paid_on is null or i.paid_on > d.day)
    group by d.day`.execute(ctx.db)
  return new Map(rows.map((r) => [r.day, Number(r.value)]))
}

/** Revenue and cost of goods sold on the days after `from` up to and including `to`, per window. */
async function salesIn(ctx: AppContext, windows: [from: string, to: string][]) {
  const { rows } = await sql<{ n: string; revenue: string; cogs: string }>`
    with daily as (
      select day, sum(revenue_base) as revenue, sum(cost_base) as cogs from sales_daily group by day
    )
    select w.n, coalesce(sum(daily.revenue), 0) as revenue, coalesce(sum(daily.cogs), 0) as cogs
    from unnest(${windows.map((w) => w[0])}::date[], ${windows.map((w) => w[1])}::date[])
      with ordinality as w(from_day, to_day, n)
    left join daily on daily.day > w.from_day and daily.day <= w.to_day
    group by w.n`.execute(ctx.db)
  const byWindow = new Map(
    rows.map((r) => [Number(r.n), { revenue: Number(r.revenue), cogs: Number(r.cogs) }]),
  )
  return windows.map((_, i) => byWindow.get(i + 1) ?? { revenue: 0, cogs: 0 })
}
