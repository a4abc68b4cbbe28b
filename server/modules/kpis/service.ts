import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { BASE_CURRENCY } from '../finance/fx.ts'
import { workingCapitalReport } from '../finance/service.ts'
import { criticalItems } from '../inventory/planning.ts'
import { plantOee } from '../production/report.ts'
import { conversionRate } from './calc.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const round = (value: number | null, digits = 2) =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits

interface Window {
  revenue: number
  orders: number
  averageOrderValue: number | null
}

export interface PeriodFigures extends Window {
  /** The same span one period earlier: the 7 or 30 days before, or yesterday up to the same hour. */
  previous: Window
  /** Change against `previous`, as a fraction (null when it had nothing). */
  revenueChange: number | null
}

/** Revenue and orders between two instants, from the hourly rollup (never the raw orders). */
async function window(ctx: AppContext, from: number, to: number): Promise<Window> {
  const row = await ctx.db
    .selectFrom('order_totals_hourly')
    .select((eb) => [
      eb.fn.sum<string>('revenue_base').as('revenue'),
      eb.fn.sum<string>('orders').as('orders'),
    ])
    .where('hour', '>=', new Date(from))
    .where('hour', '<', new Date(to))
    .executeTakeFirstOrThrow()
  const revenue = Number(row.revenue ?? 0)
  const orders = Number(row.orders ?? 0)
  return {
    revenue: round(revenue)!,
    orders,
    averageOrderValue: orders === 0 ? null : round(revenue / orders),
  }
}

/** A window and the same window `back` ms earlier. */
async function period(ctx: AppContext, from: number, to: number, back: number): Promise<PeriodFigures> {
  const current = await window(ctx, from, to)
  const previous = await window(ctx, from - back, to - back)
  return {
    ...current,
    previous,
    revenueChange:
      previous.revenue === 0 ? null : round((current.revenue - previous.revenue) / previous.revenue, 4),
  }
}

/**
 * The overview: revenue, orders and average order value today (UTC), over 7 and 30 days, each with
 * the period before (for today, yesterday up to the same hour: a day's first hours against the
 * evening before would say little); units and gross margin over 30 days; conversion over 24 hours; critical
 * stock items (inventory/planning.ts); production and
 * OEE over 7 days; and the cash conversion cycle over 90 days. All from rollups and small tables.
 */
export async function overview(ctx: AppContext) {
  const now = ctx.clock.ms()
  const midnight = Math.floor(now / DAY) * DAY
  const [today, last7, last30] = [
    await period(ctx, midnight, now, DAY),
    await period(ctx, now - 7 * DAY, now, 7 * DAY),
    await period(ctx, now - 30 * DAY, now, 30 * DAY),
  ]
  const sales = await ctx.db
    .selectFrom('sales_hourly')
    .select((eb) => [
      eb.fn.sum<string>('units').as('units'),
      eb.fn.sum<string>('revenue_base').as('revenue'),
      eb.fn.sum<string>('cost_base').as('cost'),
    ])
    .where('hour', '>=', new Date(now - 30 * DAY))
    .executeTakeFirstOrThrow()
  const lineRevenue = Number(sales.revenue ?? 0)
  const visits = await ctx.db
    .selectFrom('storefront_sessions')
    .select((eb) => eb.fn.sum<string>('visits').as('v'))
    .where('hour', '>=', new Date(now - DAY))
    .executeTakeFirstOrThrow()
  const storefrontOrders = await ctx.db
    .selectFrom('order_totals_hourly')
    .select((eb) => eb.fn.sum<string>('orders').as('n'))
    .where('hour', '>=', new Date(now - DAY))
    .where('channel_code', 'in', (eb) =>
      eb.selectFrom('storefront_sessions').select('channel_code').distinct(),
    )
    .executeTakeFirstOrThrow()
  const critical = await criticalItems(ctx, { windowDays: 56 })
  const production = await plantOee(ctx, new Date(now - 7 * DAY), new Date(now))
  const capital = await workingCapitalReport(ctx, 90)
  return {
    currency: BASE_CURRENCY,
    at: new Date(now).toISOString(),
    revenue: { today, last7Days: last7, last30Days: last30 },
    units30Days: Number(sales.units ?? 0),
    grossMargin30Days:
      lineRevenue === 0 ? null : round((lineRevenue - Number(sales.cost ?? 0)) / lineRevenue, 4),
    conversion24Hours: round(conversionRate(Number(storefrontOrders.n ?? 0), Number(visits.v ?? 0)), 4),
    criticalItems: critical.length,
    production7Days: production,
    cashConversionCycleDays: round(capital.ccc, 1),
  }
}

export type RevenueBy = 'channel' | 'market' | 'product'

/** Revenue (and orders or units) per hour or day between two instants, split by channel, market or product. */
export async function revenueSeries(
  ctx: AppContext,
  options: { interval: 'hour' | 'day'; from: Date; to: Date; by: RevenueBy },
) {
  const bucket =
    options.interval === 'hour'
      ? sql<Date>`hour`
      : sql<Date>`date_trunc('day', hour at time zone 'UTC') at time zone 'UTC'`
  if (options.by === 'product') {
    const rows = await ctx.db
      .selectFrom('sales_hourly')
      .select((eb) => [
        bucket.as('at'),
        'sku as key',
        eb.fn.sum<string>('revenue_base').as('revenue'),
        eb.fn.sum<string>('units').as('count'),
      ])
      .where('hour', '>=', options.from)
      .where('hour', '<', options.to)
      .groupBy([sql`1`, 'sku'])
      .orderBy(sql`1`)
      .orderBy('sku')
      .execute()
    return present(rows, 'units')
  }
  const column = options.by === 'channel' ? 'channel_code' : 'market_code'
  const rows = await ctx.db
    .selectFrom('order_totals_hourly')
    .select((eb) => [
      bucket.as('at'),
      `${column} as key` as 'channel_code as key',
      eb.fn.sum<string>('revenue_base').as('revenue'),
      eb.fn.sum<string>('orders').as('count'),
    ])
    .where('hour', '>=', options.from)
    .where('hour', '<', options.to)
    .groupBy([sql`1`, column])
    .orderBy(sql`1`)
    .orderBy(column)
    .execute()
  return present(rows, 'orders')
}

function present(
  rows: { at: Date; key: string; revenue: string | null; count: string | null }[],
  counted: 'orders' | 'units',
) {
  return {
    currency: BASE_CURRENCY,
    counted,
    points: rows.map((r) => ({
      at: new Date(r.at).toISOString(),
      key: r.key,
      revenue: Number(r.revenue ?? 0),
      count: Number(r.count ?? 0),
    })),
  }
}
