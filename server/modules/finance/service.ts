import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { BASE_CURRENCY } from './fx.ts'
import { averageBalance, workingCapital } from './working-capital.ts'

const DAY = 86_400_000
/** Balances are averaged over these points of the window: its start, thirds and end. */
const SAMPLES = 4

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
 * ledger's daily net movements (stock at the end of each sample day, UTC), receivables and payables outstanding (issued, not yet paid) on each sample day,
 * revenue and cost of goods sold from the daily sales rollup. A figure whose denominator is zero
 * is null ("no value"), never 0.
 */
export async function workingCapitalReport(ctx: AppContext, days = 90): Promise<WorkingCapitalReport> {
  const to = ctx.clock.ms()
  const from = to - days * DAY
  const points = Array.from({ length: SAMPLES }, (_, i) => new Date(from + ((to - from) * i) / (SAMPLES - 1)))

  const inventory: number[] = []
  const receivables: number[] = []
  const payables: number[] = []
  for (const at of points) {
    const day = at.toISOString().slice(0, 10)
    const stock = await sql<{ value: string | null }>`
      select sum(m.q * p.unit_cost) as value from (
        select sku, sum(quantity) as q from stock_daily where day <= ${day} group by sku
      ) m join products p using (sku)`.execute(ctx.db)
    inventory.push(Number(stock.rows[0]?.value ?? 0))
    for (const [table, into] of [
      ['receivables', receivables],
      ['payables', payables],
    ] as const) {
      const open = await ctx.db
        .selectFrom(table)
        .select((eb) => eb.fn.sum<string>('amount_base').as('v'))
        .where('issued_on', '<=', day)
        .where((eb) => eb.or([eb('paid_on', 'is', null), eb('paid_on', '>', day)]))
        .executeTakeFirstOrThrow()
      into.push(Number(open.v ?? 0))
    }
  }
  const sales = await ctx.db
    .selectFrom('sales_daily')
    .select((eb) => [
      eb.fn.sum<string>('revenue_base').as('revenue'),
      eb.fn.sum<string>('cost_base').as('cogs'),
    ])
    .where('day', '>', new Date(from).toISOString().slice(0, 10))
    .where('day', '<=', new Date(to).toISOString().slice(0, 10))
    .executeTakeFirstOrThrow()
  const revenue = Number(sales.revenue ?? 0)
  const cogs = Number(sales.cogs ?? 0)
  const averages = {
    averageInventory: averageBalance(inventory),
    averageReceivables: averageBalance(receivables),
    averagePayables: averageBalance(payables),
  }
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
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...averages,
    revenue,
    cogs,
    ...figures,
  }
}
