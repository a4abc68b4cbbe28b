import { Value } from 'typebox/value'
import type { AppContext } from '../../../context.ts'
import type { OrderStatus } from '../../../platform/db/schema.ts'
import { AppError } from '../../../platform/http/errors.ts'
import {
  channelFor,
  externalIdOf,
  ShopifyOrder,
  SOURCE,
  toNewOrder,
} from '../../integrations/shopify/webhook.ts'
import { publishBusinessEvent } from '../../orders/events.ts'
import { insertOrder } from '../../orders/intake.ts'
import { changeStatus, getOrder } from '../../orders/service.ts'
import type { Tally } from '../tally.ts'
import { adminUrl, PAGE_LIMIT, pages, type ShopInfo, type ShopifyRun } from './client.ts'

/**
 * Orders changed since the cursor, booked through the webhook's mapping (same schema, channel,
 * external id and source), so an order that both the webhook and the connector see is booked
 * once. Cancellations and refunds of known orders go through the orders service's transitions.
 */

export const CONNECTOR_ACTOR = { type: 'system', id: 'connector:shopify' } as const

/** The status Shopify's fields describe: a full refund, else a cancellation, else paid or pending. */
export function shopifyStatus(order: ShopifyOrder): 'pending' | 'paid' | 'cancelled' | 'refunded' {
  if (order.financial_status === 'refunded') return 'refunded'
  if (order.cancelled_at) return 'cancelled'
  return order.financial_status === 'paid' ? 'paid' : 'pending'
}

const label = (order: { id?: unknown; name?: unknown }) =>
  typeof order.name === 'string' ? `order ${order.name} (${String(order.id)})` : `order ${String(order.id)}`

export async function syncOrders(run: ShopifyRun, shop: ShopInfo, tally: Tally): Promise<void> {
  const query: Record<string, string> = { status: 'any', limit: String(PAGE_LIMIT) }
  if (run.since) query.updated_at_min = run.since
  for await (const page of pages(run, adminUrl(run.config, 'orders', query), 'orders')) {
    const orders: { order: ShopifyOrder; externalId: string }[] = []
    for (const raw of page) {
      tally.fetched += 1
      const fields = (raw ?? {}) as { id?: unknown; name?: unknown; updated_at?: unknown }
      tally.advanceTo(fields.updated_at)
      const problem = Value.Check(ShopifyOrder, raw) ? null : [...Value.Errors(ShopifyOrder, raw)][0]
      if (problem) {
        tally.skip(`${label(fields)}: ${problem.instancePath || '/'} ${problem.message}`)
        continue
      }
      try {
        orders.push({ order: raw as ShopifyOrder, externalId: externalIdOf(raw as ShopifyOrder) })
      } catch (error) {
        tally.skip(`${label(fields)}: ${(error as Error).message}`)
      }
    }
    const known = await knownOrders(
      run.app,
      orders.map((o) => o.externalId),
    )
    for (const { order, externalId } of orders) {
      const existing = known.get(externalId)
      if (existing) await updateStatus(run.app, order, existing, tally)
      else await book(run.app, order, shop, tally)
    }
  }
}

async function knownOrders(ctx: AppContext, externalIds: string[]) {
  if (externalIds.length === 0) return new Map<string, { id: string; status: OrderStatus }>()
  const rows = await ctx.db
    .selectFrom('orders')
    .select(['id', 'external_id', 'status'])
    .where('source', '=', SOURCE)
    .where('external_id', 'in', externalIds)
    .execute()
  return new Map(rows.map((row) => [row.external_id!, { id: row.id, status: row.status }]))
}

/** Books a new order; one cancelled or refunded in Shopify already is booked and moved on at once. */
async function book(ctx: AppContext, order: ShopifyOrder, shop: ShopInfo, tally: Tally): Promise<void> {
  const target = shopifyStatus(order)
  let id: string
  try {
    const input = toNewOrder(order, channelFor(shop.domain, order.currency, ctx.config.shopify.shopChannels))
    // Only a paid order can have been refunded.
    if (target === 'refunded') input.status = 'paid'
    id = await ctx.db.transaction().execute(async (tx) => {
      const { id: created } = await insertOrder(ctx, tx, input, SOURCE)
      if (target === 'cancelled' || target === 'refunded')
        await changeStatus(ctx, tx, created, target, CONNECTOR_ACTOR, `${target} in Shopify`)
      return created
    })
  } catch (error) {
    // Booked meanwhile by the webhook: nothing to do.
    if (error instanceof AppError && error.code === 'DUPLICATE_EXTERNAL_ID') return tally.skip()
    if (error instanceof AppError && error.statusCode < 500)
      return tally.skip(`${label(order)}: ${error.code} ${error.message}`)
    throw error
  }
  tally.written += 1
  const booked = await getOrder(ctx, id)
  await publishBusinessEvent(ctx, 'order.created', { id, status: booked.status, totalBase: booked.totalBase })
}

/**
 * A known order takes a cancellation, a refund or a payment from Shopify. Anything else (no
 * change, a status that would go back) leaves it alone; a move the orders service refuses
 * (cancelling a fulfilled order) is noted and left for a person.
 */
async function updateStatus(
  ctx: AppContext,
  order: ShopifyOrder,
  existing: { id: string; status: OrderStatus },
  tally: Tally,
): Promise<void> {
  const target = shopifyStatus(order)
  const moves =
    target === 'cancelled' || target === 'refunded' || (target === 'paid' && existing.status === 'pending')
  if (target === existing.status || !moves) return tally.skip()
  let from: OrderStatus
  try {
    const moved = await ctx.db
      .transaction()
      .execute((tx) => changeStatus(ctx, tx, existing.id, target, CONNECTOR_ACTOR, `${target} in Shopify`))
    from = moved.from
  } catch (error) {
    if (error instanceof AppError && error.code === 'INVALID_TRANSITION')
      return tally.skip(`${label(order)}: ${target} in Shopify but ${existing.status} here; left as it is`)
    throw error
  }
  tally.written += 1
  await publishBusinessEvent(ctx, 'order.status', { id: existing.id, from, to: target })
}
