import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OrderSource, OrderStatus, OrdersTable, Tables } from '../../platform/db/schema.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel } from '../../platform/http/principal.ts'
import { recordMovement, release } from '../inventory/ledger.ts'
import { recordStatusChange } from './history.ts'
import { applyToRollups, COUNTS_AS_SALE } from './rollups.ts'

type Tx = Transaction<Tables>

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

/** Which status may follow which. Fulfilment ships the reserved stock; cancel and refund release it. */
const NEXT: Record<OrderStatus, OrderStatus[]> = {
  pending: ['paid', 'cancelled'],
  paid: ['fulfilled', 'cancelled', 'refunded'],
  fulfilled: ['refunded'],
  cancelled: [],
  refunded: [],
}

/** Moves an order on in the caller's transaction and appends the change to its history (`history.ts`). */
export async function changeStatus(
  ctx: AppContext,
  tx: Tx,
  orderId: string,
  status: OrderStatus,
  actor: Actor,
  reason?: string,
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
  const at = ctx.clock.now()
  await tx.updateTable('orders').set({ status, updated_at: at }).where('id', '=', orderId).execute()
  await recordStatusChange(tx, { orderId, from: order.status, to: status, at, actor, reason })
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
        actor: actorLabel(actor),
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
