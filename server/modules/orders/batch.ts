import { type Kysely, type OperationNodeSource, type RawBuilder, sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OrderSource, OrderStatus, Tables } from '../../platform/db/schema.ts'
import { writeTogether } from '../../platform/db/together.ts'
import { unnestRows } from '../../platform/db/unnest.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { Movement } from '../inventory/ledger.ts'
import { recordMovements } from '../inventory/ledger-batch.ts'
import { newOrderIds, type OrderAmounts, orderAmounts } from './amounts.ts'
import { COUNTS_AS_SALE, type RollupLine, salesBySku } from './rollups.ts'

/** An order resolved against the catalog: codes checked, lines priced, FX rate and tax rate known. */
export interface BatchOrder {
  externalId: string | null
  channelCode: string
  marketCode: string
  locationCode: string
  currency: string
  status: OrderStatus
  placedAt: Date
  fxRate: number
  taxRate: number
  tax?: number
  shipping?: number
  lines: RollupLine[]
}

/**
 * Booking an order straight into a status leaves what `insertOrder` followed by `changeStatus`
 * along the shortest allowed path leaves: pending and paid hold their reservation; fulfilled
 * (pending → paid → fulfilled) ships it as sale movements; cancelled (pending → cancelled) and
 * refunded (pending → paid → refunded) release it. The stock level row is created either way.
 */
const HOLDS_STOCK: Record<OrderStatus, boolean> = {
  pending: true,
  paid: true,
  fulfilled: false,
  cancelled: false,
  refunded: false,
}

const cents = (value: number) => Math.round(value * 100)
const SEP = '\u0000'

/**
 * Books orders (one from the API, thousands from an import) in one statement (two in a
 * transaction, see below): orders and lines, reservations and stock levels, and the hourly and
 * daily rollups, leaving the same stored state as booking each and moving it to its status along
 * the shortest allowed path (an order booked in and out again, as a cancelled one is, leaves its
 * rollup rows at zero). Fulfilled orders
 * also ship their stock as sale movements, a second step that needs the caller's transaction; one
 * that would take stock below zero refuses the whole call with 409 INSUFFICIENT_STOCK and
 * `details.order` (its index). `ids` names the orders; `also` adds writes to the orders' statement.
 */
export async function bookOrders(
  ctx: AppContext,
  db: Kysely<Tables>,
  orders: readonly BatchOrder[],
  source: OrderSource,
  actor: string,
  options: { ids?: string[]; also?: OperationNodeSource[] } = {},
): Promise<string[]> {
  if (orders.length === 0) return []
  const now = ctx.clock.now()
  const ids = options.ids ?? newOrderIds(orders.length, now.getTime())
  const amounts = orders.map((o) => orderAmounts(o.lines, o.taxRate, o.fxRate, o))
  const nowIso = now.toISOString()

  // Rows travel as one array parameter per column: far cheaper than a parameter per value.
  const orderRows = orders.map((o, i) => ({
    id: ids[i]!,
    external_id: o.externalId,
    channel_code: o.channelCode,
    market_code: o.marketCode,
    currency: o.currency,
    status: o.status,
    placed_at: o.placedAt.toISOString(),
    ...amountColumns(amounts[i]!),
    fx_rate: o.fxRate,
    location_code: o.locationCode,
    // changeStatus stamps the time of the move; an order left pending keeps the default
    updated_at: o.status === 'pending' ? null : nowIso,
  }))
  const ordersInsert = sql`
    insert into orders (id, source, external_id, channel_code, market_code, currency, status, placed_at,
      subtotal, tax, shipping, total, fx_rate, total_base, location_code, updated_at)
    select id, ${source}, external_id, channel_code, market_code, currency, status, placed_at,
      subtotal, tax, shipping, total, fx_rate, total_base, location_code, coalesce(updated_at, now())
    from ${unnestRows(orderRows, {
      id: 'text',
      external_id: 'text',
      channel_code: 'text',
      market_code: 'text',
      currency: 'text',
      status: 'text',
      placed_at: 'timestamptz',
      subtotal: 'numeric',
      tax: 'numeric',
      shipping: 'numeric',
      total: 'numeric',
      fx_rate: 'numeric',
      total_base: 'numeric',
      location_code: 'text',
      updated_at: 'timestamptz',
    })}`

  const lineRows = orders.flatMap((o, i) =>
    o.lines.map((line, n) => ({
      order_id: ids[i]!,
      line_no: n + 1,
      sku: line.sku,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      unit_cost: line.unitCost,
    })),
  )
  const linesInsert = sql`
    insert into order_lines (order_id, line_no, sku, quantity, unit_price, unit_cost)
    select * from ${unnestRows(lineRows, {
      order_id: 'text',
      line_no: 'int',
      sku: 'text',
      quantity: 'int',
      unit_price: 'numeric',
      unit_cost: 'numeric',
    })}`

  const stock = stockChanges(orders, ids, now, actor)
  const own = [ordersInsert, linesInsert, ...stock.reservations, ...(options.also ?? [])]
  const shared = [
    stock.levels,
    ...rollupWrites(
      orders,
      amounts.map((a) => a.totalBase),
    ),
  ]
  // In a transaction the rows only this call writes go first, with their foreign-key checks, and
  // the rows every writer shares (stock levels, rollups) in a short second statement: a
  // concurrent writer then waits for those rows' locks only that long, plus the commit.
  // Outside one, a single statement keeps the booking atomic.
  if (db.isTransaction) {
    await writeTogether(db, own)
    await writeTogether(db, shared)
  } else await writeTogether(db, [...own, ...shared])
  await ship(db, stock)
  return ids
}

const amountColumns = (a: OrderAmounts) => ({
  subtotal: a.subtotal,
  tax: a.tax,
  shipping: a.shipping,
  total: a.total,
  total_base: a.totalBase,
})

/** Reservations of the orders that hold stock, every level they touch, and the sales of shipped ones. */
function stockChanges(orders: readonly BatchOrder[], ids: string[], now: Date, actor: string) {
  const reservations: { id: string; sku: string; location: string; quantity: number }[] = []
  const levels = new Map<string, { sku: string; location: string; reserved: number }>()
  const sales: Movement[] = []
  const saleOrder: number[] = []
  orders.forEach((order, i) => {
    const bySku = new Map<string, number>()
    for (const line of order.lines) bySku.set(line.sku, (bySku.get(line.sku) ?? 0) + line.quantity)
    for (const [sku, quantity] of bySku) {
      const k = sku + SEP + order.locationCode
      const level = levels.get(k) ?? { sku, location: order.locationCode, reserved: 0 }
      levels.set(k, level)
      if (HOLDS_STOCK[order.status]) {
        level.reserved += quantity
        reservations.push({ id: ids[i]!, sku, location: order.locationCode, quantity })
      }
      if (order.status === 'fulfilled') {
        sales.push({
          kind: 'sale',
          sku,
          locationCode: order.locationCode,
          quantity: -quantity,
          occurredAt: now,
          reference: { type: 'order', id: ids[i]! },
          actor,
        })
        saleOrder.push(i)
      }
    }
  })
  const touched = [...levels.values()].sort((a, b) =>
    a.sku === b.sku ? a.location.localeCompare(b.location) : a.sku.localeCompare(b.sku),
  )
  const levelsUpsert = sql`
    insert into stock_levels (sku, location_code, reserved)
    select * from ${unnestRows(touched, { sku: 'text', location: 'text', reserved: 'int' })}
    on conflict (sku, location_code) do update
      set reserved = stock_levels.reserved + excluded.reserved, updated_at = now()`
  const reserve = sql`
    insert into stock_reservations (order_id, sku, location_code, quantity)
    select * from ${unnestRows(reservations, { id: 'text', sku: 'text', location: 'text', quantity: 'int' })}`
  return { levels: levelsUpsert, reservations: reservations.length > 0 ? [reserve] : [], sales, saleOrder }
}

/** The sale movements of the shipped orders: after the levels exist, and checked against stock. */
async function ship(
  db: Kysely<Tables>,
  { sales, saleOrder }: ReturnType<typeof stockChanges>,
): Promise<void> {
  if (sales.length === 0) return
  if (!db.isTransaction) throw new Error('Booking shipped orders needs a transaction')
  try {
    await recordMovements(db as Transaction<Tables>, sales)
  } catch (error) {
    if (error instanceof AppError && error.code === 'INSUFFICIENT_STOCK') {
      const index = (error.details as { index: number }).index
      throw new AppError(409, error.code, error.message, { order: saleOrder[index], sku: sales[index]!.sku })
    }
    throw error
  }
}

interface Sums {
  orders: number
  units: number
  revenue: number
  cost: number
}
type SalesRow = Sums & { at: string; channel: string; market: string; sku: string }

/**
 * The orders' contribution to the three rollups, summed per key in whole cents (the API path
 * adds each order's cent-rounded values one at a time, which comes to the same sums).
 */
function rollupWrites(orders: readonly BatchOrder[], totalsBase: number[]): RawBuilder<unknown>[] {
  const totals = new Map<
    string,
    { hour: string; channel: string; market: string; orders: number; revenue: number }
  >()
  const hourly = new Map<string, SalesRow>()
  const daily = new Map<string, SalesRow>()
  orders.forEach((order, i) => {
    const sign = COUNTS_AS_SALE[order.status] ? 1 : 0
    const hour = new Date(Math.floor(order.placedAt.getTime() / 3_600_000) * 3_600_000).toISOString()
    const day = hour.slice(0, 10)
    const base = SEP + order.channelCode + SEP + order.marketCode
    let t = totals.get(hour + base)
    if (!t) {
      t = { hour, channel: order.channelCode, market: order.marketCode, orders: 0, revenue: 0 }
      totals.set(hour + base, t)
    }
    t.orders += sign
    t.revenue += sign * cents(totalsBase[i]!)
    for (const [sku, sum] of salesBySku(order.lines, order.fxRate)) {
      addSales(hourly, hour, base, sku, order, sign, sum)
      addSales(daily, day, base, sku, order, sign, sum)
    }
  })

  const t = inKeyOrder(totals).map((r) => ({ ...r, revenue: r.revenue / 100 }))
  const totalsUpsert = sql`
    insert into order_totals_hourly (hour, channel_code, market_code, orders, revenue_base)
    select * from ${unnestRows(t, {
      hour: 'timestamptz',
      channel: 'text',
      market: 'text',
      orders: 'int',
      revenue: 'numeric',
    })}
    on conflict (hour, channel_code, market_code) do update set
      orders = order_totals_hourly.orders + excluded.orders,
      revenue_base = order_totals_hourly.revenue_base + excluded.revenue_base`
  return [
    totalsUpsert,
    upsertSales('sales_hourly', 'hour', 'timestamptz', inKeyOrder(hourly)),
    upsertSales('sales_daily', 'day', 'date', inKeyOrder(daily)),
  ]
}

/** Adds one order's sales of one product to its row (keyed by period, channel, market, product). */
function addSales(
  rows: Map<string, SalesRow>,
  at: string,
  base: string,
  sku: string,
  order: BatchOrder,
  sign: number,
  sum: { units: number; revenue: number; cost: number },
): void {
  const key = at + base + SEP + sku
  let row = rows.get(key)
  if (!row) {
    row = {
      at,
      channel: order.channelCode,
      market: order.marketCode,
      sku,
      orders: 0,
      units: 0,
      revenue: 0,
      cost: 0,
    }
    rows.set(key, row)
  }
  row.orders += sign
  row.units += sign * sum.units
  row.revenue += sign * cents(sum.revenue)
  row.cost += sign * cents(sum.cost)
}

/**
 * Rows in the order of their keys: every writer locks rollup rows in the same order, so two
 * batches written at once wait for each other instead of deadlocking.
 */
const inKeyOrder = <T>(rows: Map<string, T>): T[] =>
  [...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row)

function upsertSales(
  table: 'sales_hourly' | 'sales_daily',
  period: 'hour' | 'day',
  type: 'timestamptz' | 'date',
  rows: (Sums & { at: string; channel: string; market: string; sku: string })[],
): RawBuilder<unknown> {
  const target = sql.table(table)
  const values = unnestRows(
    rows.map((r) => ({ ...r, revenue: r.revenue / 100, cost: r.cost / 100 })),
    {
      at: type,
      channel: 'text',
      market: 'text',
      sku: 'text',
      orders: 'int',
      units: 'int',
      revenue: 'numeric',
      cost: 'numeric',
    },
  )
  return sql`
    insert into ${target} (${sql.ref(period)}, channel_code, market_code, sku, orders, units, revenue_base, cost_base)
    select * from ${values}
    on conflict (${sql.ref(period)}, channel_code, market_code, sku) do update set
      orders = ${target}.orders + excluded.orders,
      units = ${target}.units + excluded.units,
      revenue_base = ${target}.revenue_base + excluded.revenue_base,
      cost_base = ${target}.cost_base + excluded.cost_base`
}
