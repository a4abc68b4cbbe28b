import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OrderSource, OrderStatus, OrdersTable, Tables } from '../../platform/db/schema.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { fxRate } from '../finance/fx.ts'
import { recordMovement, release, reserve } from '../inventory/ledger.ts'
import { newOrderId, orderAmounts } from './amounts.ts'
import { applyToRollups, COUNTS_AS_SALE, type RollupLine } from './rollups.ts'

type Tx = Transaction<Tables>

export interface NewOrder {
  externalId?: string
  channel: string
  market?: string
  currency?: string
  placedAt?: string
  status?: 'pending' | 'paid'
  location?: string
  lines: { sku: string; quantity: number; unitPrice?: number }[]
  shipping?: number
  tax?: number
}

export interface OrderView {
  id: string
  source: OrderSource
  externalId: string | null
  channel: string
  market: string
  location: string
  currency: string
  status: OrderStatus
  placedAt: string
  subtotal: number
  tax: number
  shipping: number
  total: number
  fxRate: number
  totalBase: number
  lines: { lineNo: number; sku: string; quantity: number; unitPrice: number }[]
}

const invalid = (code: string, message: string) => new AppError(422, code, message)

/**
 * Books an order in the caller's transaction: prices default to the product's price in the
 * order's market, tax to the market's rate; the base-currency value uses the FX rate of the
 * order's day. The order reserves stock at its channel's location and enters the rollups.
 */
export async function insertOrder(
  ctx: AppContext,
  tx: Tx,
  input: NewOrder,
  source: OrderSource,
): Promise<string> {
  const channel = await tx
    .selectFrom('channels')
    .selectAll()
    .where('code', '=', input.channel)
    .executeTakeFirst()
  if (!channel) throw invalid('UNKNOWN_CHANNEL', `No sales channel ${input.channel}`)
  const marketCode = input.market ?? channel.market_code
  const market = await tx.selectFrom('markets').selectAll().where('code', '=', marketCode).executeTakeFirst()
  if (!market) throw invalid('UNKNOWN_MARKET', `No market ${marketCode}`)
  const placedAt = input.placedAt ? new Date(input.placedAt) : ctx.clock.now()
  if (Number.isNaN(placedAt.getTime()))
    throw invalid('INVALID_DATE', `placedAt ${input.placedAt} is not a date`)
  if (placedAt.getTime() > ctx.clock.ms() + 24 * 3_600_000)
    throw invalid('INVALID_DATE', 'placedAt is more than a day in the future')
  const currency = input.currency ?? market.currency
  const rate = await fxRate(tx, currency, placedAt)
  const locationCode = input.location ?? channel.location_code

  const skus = [...new Set(input.lines.map((line) => line.sku))]
  const products = await tx
    .selectFrom('products')
    .leftJoin('product_prices', (join) =>
      join.onRef('product_prices.sku', '=', 'products.sku').on('product_prices.market_code', '=', marketCode),
    )
    .select(['products.sku', 'products.unit_cost', 'products.active', 'product_prices.price'])
    .where('products.sku', 'in', skus)
    .execute()
  const bySku = new Map(products.map((p) => [p.sku, p]))
  const lines: RollupLine[] = input.lines.map((line) => {
    const product = bySku.get(line.sku)
    if (!product) throw invalid('UNKNOWN_SKU', `No product ${line.sku}`)
    if (!product.active) throw invalid('INACTIVE_SKU', `Product ${line.sku} is no longer sold`)
    const unitPrice = line.unitPrice ?? (product.price === null ? undefined : Number(product.price))
    if (unitPrice === undefined)
      throw invalid('NO_PRICE', `${line.sku} has no price in ${marketCode}; give unitPrice`)
    return { sku: line.sku, quantity: line.quantity, unitPrice, unitCost: Number(product.unit_cost) }
  })
  const { subtotal, tax, shipping, total, totalBase } = orderAmounts(
    lines,
    Number(market.tax_rate),
    rate,
    input,
  )

  const id = newOrderId()
  const status = input.status ?? 'pending'
  await tx
    .insertInto('orders')
    .values({
      id,
      source,
      external_id: input.externalId ?? null,
      channel_code: channel.code,
      market_code: marketCode,
      currency,
      status,
      placed_at: placedAt,
      subtotal,
      tax,
      shipping,
      total,
      fx_rate: rate,
      total_base: totalBase,
      location_code: locationCode,
    })
    .execute()
    .catch((error) => {
      if ((error as { code?: string }).code === '23505')
        throw new AppError(
          409,
          'DUPLICATE_EXTERNAL_ID',
          `An order ${input.externalId} from ${source} exists already`,
        )
      if ((error as { code?: string }).code === '23503')
        throw invalid('UNKNOWN_LOCATION', `No location ${locationCode}`)
      throw error
    })
  await tx
    .insertInto('order_lines')
    .values(
      lines.map((line, index) => ({
        order_id: id,
        line_no: index + 1,
        sku: line.sku,
        quantity: line.quantity,
        unit_price: line.unitPrice,
        unit_cost: line.unitCost,
      })),
    )
    .execute()
  await reserve(tx, id, locationCode, lines)
  await applyToRollups(
    tx,
    rollupOrder({
      placed_at: placedAt,
      channel_code: channel.code,
      market_code: marketCode,
      total_base: totalBase,
      fx_rate: rate,
    }),
    lines,
    1,
  )
  return id
}

/** Which status may follow which. Fulfilment ships the reserved stock; cancel and refund release it. */
const NEXT: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled', 'refunded'],
  fulfilled: ['refunded'],
  cancelled: [],
  refunded: [],
}

export async function changeStatus(
  ctx: AppContext,
  tx: Tx,
  orderId: string,
  status: OrderStatus,
  actor: string,
): Promise<{ from: OrderStatus }> {
  const order = await tx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .forUpdate()
    .executeTakeFirst()
  if (!order) throw notFound(`No order ${orderId}`)
  if (order.status === status) return { from: order.status }
  if (!NEXT[order.status].includes(status))
    throw new AppError(409, 'INVALID_TRANSITION', `An order that is ${order.status} cannot become ${status}`)
  await tx
    .updateTable('orders')
    .set({ status, updated_at: ctx.clock.now() })
    .where('id', '=', orderId)
    .execute()
  // Paying keeps the reservation; shipping, cancelling and refunding end it.
  const held = status === 'paid' ? [] : await release(tx, orderId)
  if (status === 'fulfilled') {
    for (const line of held)
      await recordMovement(tx, {
        kind: 'sale',
        sku: line.sku,
        locationCode: line.locationCode,
        quantity: -line.quantity,
        occurredAt: ctx.clock.now(),
        reference: { type: 'order', id: orderId },
        actor,
      })
  }
  if (COUNTS_AS_SALE[order.status] !== COUNTS_AS_SALE[status]) {
    const lines = await tx.selectFrom('order_lines').selectAll().where('order_id', '=', orderId).execute()
    await applyToRollups(
      tx,
      rollupOrder(order),
      lines.map((l) => ({
        sku: l.sku,
        quantity: l.quantity,
        unitPrice: Number(l.unit_price),
        unitCost: Number(l.unit_cost),
      })),
      COUNTS_AS_SALE[status] ? 1 : -1,
    )
  }
  return { from: order.status }
}

function rollupOrder(row: {
  placed_at: Date
  channel_code: string
  market_code: string
  total_base: number | string
  fx_rate: number | string
}) {
  return {
    placedAt: new Date(row.placed_at),
    channelCode: row.channel_code,
    marketCode: row.market_code,
    totalBase: Number(row.total_base),
    fxRate: Number(row.fx_rate),
  }
}

export async function getOrder(ctx: AppContext, id: string): Promise<OrderView> {
  const order = await ctx.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst()
  if (!order) throw notFound(`No order ${id}`)
  const lines = await ctx.db
    .selectFrom('order_lines')
    .selectAll()
    .where('order_id', '=', id)
    .orderBy('line_no')
    .execute()
  return {
    ...presentOrder(order),
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: Number(l.unit_price),
    })),
  }
}

export function presentOrder(o: Selectable<OrdersTable>): Omit<OrderView, 'lines'> {
  return {
    id: o.id,
    source: o.source,
    externalId: o.external_id,
    channel: o.channel_code,
    market: o.market_code,
    location: o.location_code,
    currency: o.currency.trim(),
    status: o.status,
    placedAt: new Date(o.placed_at).toISOString(),
    subtotal: Number(o.subtotal),
    tax: Number(o.tax),
    shipping: Number(o.shipping),
    total: Number(o.total),
    fxRate: Number(o.fx_rate),
    totalBase: Number(o.total_base),
  }
}
