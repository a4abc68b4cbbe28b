import type { AmazonSettings } from '../../../config-connectors.ts'
import { AppError } from '../../../platform/http/errors.ts'
import type { Actor } from '../../../platform/http/principal.ts'
import { round } from '../../../platform/numbers.ts'
import { publishBusinessEvent } from '../../orders/events.ts'
import { insertOrder, type NewOrder } from '../../orders/intake.ts'
import { changeStatus } from '../../orders/service.ts'
import type { SyncRun } from '../types.ts'
import { type AmazonOrder, amount, type OrderItem, orderItems } from './client.ts'

/**
 * One Amazon order into the orders module, by AmazonOrderId (`external_id`, source `amazon`):
 * - unseen and paid for (Unshipped, PartiallyShipped, Shipped, InvoiceUnconfirmed): booked as
 *   paid on its marketplace's channel, placed at PurchaseDate;
 * - seen and now Canceled: cancelled here (its reservation released, out of the sales figures);
 * - anything else (Pending: not yet paid, no prices; seen before; unknown marketplace) is skipped.
 * Amazon's ItemPrice is the line's total, so the unit price is it divided by the quantity; the
 * tax is what OrderTotal holds beyond the items and shipping, so the total is Amazon's.
 */

export const SOURCE = 'amazon'
const ACTOR: Actor = { type: 'system', id: 'amazon' }
const PAID = new Set(['Unshipped', 'PartiallyShipped', 'Shipped', 'InvoiceUnconfirmed'])

export type Outcome = { written: true } | { skipped: string }

export async function bookOrder(
  run: SyncRun<AmazonSettings>,
  endpoint: string,
  order: AmazonOrder,
): Promise<Outcome> {
  const ctx = run.app
  const channel = run.config.marketplaceChannels.get(order.MarketplaceId)
  if (!channel) return { skipped: 'unknown marketplace' }
  const known = await ctx.db
    .selectFrom('orders')
    .select(['id', 'status'])
    .where('source', '=', SOURCE)
    .where('external_id', '=', order.AmazonOrderId)
    .executeTakeFirst()
  if (known) {
    if (order.OrderStatus !== 'Canceled' || !['pending', 'paid'].includes(known.status))
      return { skipped: 'known' }
    const { from } = await ctx.db
      .transaction()
      .execute((tx) => changeStatus(ctx, tx, known.id, 'cancelled', ACTOR, 'cancelled in Amazon'))
    await publishBusinessEvent(ctx, 'order.status', { id: known.id, from, to: 'cancelled' })
    return { written: true }
  }
  if (!PAID.has(order.OrderStatus)) return { skipped: `status ${order.OrderStatus}` }

  const items = await orderItems(run, endpoint, order.AmazonOrderId)
  const input = toNewOrder(order, channel, items)
  if (input.lines.length === 0) return { skipped: 'no items' }
  try {
    const { id } = await insertOrder(ctx, ctx.db, input, SOURCE)
    await publishBusinessEvent(ctx, 'order.created', { id, status: 'paid', source: SOURCE })
    return { written: true }
  } catch (error) {
    // An unknown SKU, a currency without a rate, the same order booked meanwhile: not this order.
    if (error instanceof AppError) return { skipped: `${error.code}: ${error.message}` }
    throw error
  }
}

export function toNewOrder(order: AmazonOrder, channel: string, items: OrderItem[]): NewOrder {
  const lines = items
    .filter((item) => item.QuantityOrdered > 0)
    .map((item) => ({
      sku: (item.SellerSKU ?? '').trim(),
      quantity: item.QuantityOrdered,
      unitPrice: round(amount(item.ItemPrice) / item.QuantityOrdered),
    }))
  const subtotal = round(lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0))
  const shipping = round(items.reduce((sum, item) => sum + amount(item.ShippingPrice), 0))
  const total = order.OrderTotal ? amount(order.OrderTotal) : undefined
  const currency =
    order.OrderTotal?.CurrencyCode ??
    items.find((item) => item.ItemPrice)?.ItemPrice?.CurrencyCode ??
    undefined
  return {
    externalId: order.AmazonOrderId,
    channel,
    currency,
    placedAt: order.PurchaseDate,
    status: 'paid',
    lines,
    shipping,
    tax: total === undefined ? 0 : Math.max(0, round(total - subtotal - shipping)),
  }
}
