import { sql, type Transaction } from 'kysely'
import type { OrderStatus, Tables } from '../../platform/db/schema.ts'
import { round } from '../../platform/numbers.ts'

/** Whether an order in this status counts as a sale (revenue, units, rollups). */
export const COUNTS_AS_SALE: Record<OrderStatus, boolean> = {
  pending: true,
  paid: true,
  fulfilled: true,
  cancelled: false,
  refunded: false,
}

export interface RollupOrder {
  placedAt: Date
  channelCode: string
  marketCode: string
  totalBase: number
  fxRate: number
}

export interface RollupLine {
  sku: string
  quantity: number
  unitPrice: number
  unitCost: number
}

/** A line's value in the base currency, rounded per line (the rollup test computes it the same way). */
export const lineRevenueBase = (line: RollupLine, fxRate: number) =>
  round(line.quantity * line.unitPrice * fxRate)

/** An order's units, base-currency revenue and cost per product, each rounded to cents as it adds up. */
export function salesBySku(
  lines: readonly RollupLine[],
  fxRate: number,
): Map<string, { units: number; revenue: number; cost: number }> {
  const bySku = new Map<string, { units: number; revenue: number; cost: number }>()
  for (const line of lines) {
    const sum = bySku.get(line.sku) ?? { units: 0, revenue: 0, cost: 0 }
    sum.units += line.quantity
    sum.revenue = round(sum.revenue + lineRevenueBase(line, fxRate))
    sum.cost = round(sum.cost + line.quantity * line.unitCost)
    bySku.set(line.sku, sum)
  }
  return bySku
}

/**
 * Adds (sign 1) or removes (sign −1) an order in the rollups, in the caller's transaction:
 * order count and order value per hour × channel × market, and units, line revenue and cost per
 * hour and per day × channel × market × product. Hours and days are UTC. Product unit costs are
 * in the base currency.
 */
export async function applyToRollups(
  tx: Transaction<Tables>,
  order: RollupOrder,
  lines: RollupLine[],
  sign: 1 | -1,
): Promise<void> {
  const hour = new Date(Math.floor(order.placedAt.getTime() / 3_600_000) * 3_600_000)
  const day = hour.toISOString().slice(0, 10)
  const key = { channel_code: order.channelCode, market_code: order.marketCode }

  await tx
    .insertInto('order_totals_hourly')
    .values({ hour, ...key, orders: sign, revenue_base: sign * order.totalBase })
    .onConflict((oc) =>
      oc.columns(['hour', 'channel_code', 'market_code']).doUpdateSet({
        orders: sql`order_totals_hourly.orders + ${sign}`,
        revenue_base: sql`order_totals_hourly.revenue_base + ${sign * order.totalBase}`,
      }),
    )
    .execute()

  for (const [sku, sum] of salesBySku(lines, order.fxRate)) {
    const values = {
      ...key,
      sku,
      orders: sign,
      units: sign * sum.units,
      revenue_base: sign * sum.revenue,
      cost_base: sign * sum.cost,
    }
    const add = (table: 'sales_hourly' | 'sales_daily') => ({
      orders: sql`${sql.table(table)}.orders + ${values.orders}`,
      units: sql`${sql.table(table)}.units + ${values.units}`,
      revenue_base: sql`${sql.table(table)}.revenue_base + ${values.revenue_base}`,
      cost_base: sql`${sql.table(table)}.cost_base + ${values.cost_base}`,
    })
    await tx
      .insertInto('sales_hourly')
      .values({ hour, ...values })
      .onConflict((oc) =>
        oc.columns(['hour', 'channel_code', 'market_code', 'sku']).doUpdateSet(add('sales_hourly') as never),
      )
      .execute()
    await tx
      .insertInto('sales_daily')
      .values({ day, ...values })
      .onConflict((oc) =>
        oc.columns(['day', 'channel_code', 'market_code', 'sku']).doUpdateSet(add('sales_daily') as never),
      )
      .execute()
  }
}
