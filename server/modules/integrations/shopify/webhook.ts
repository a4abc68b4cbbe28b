import { createHmac, timingSafeEqual } from 'node:crypto'
import { type Static, Type } from 'typebox'
import type { AppContext } from '../../../context.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { Nullable } from '../../../platform/http/schema.ts'
import { publishBusinessEvent } from '../../orders/events.ts'
import { insertOrder, type NewOrder } from '../../orders/intake.ts'
import { getOrder } from '../../orders/service.ts'

/**
 * Shopify's order webhook without the HTTP: the signature and freshness checks, the
 * `orders/create` payload and its mapping to an order, and the booking of one delivery.
 */

export const SOURCE = 'shopify'
export const WEBHOOK_BODY_LIMIT = 1024 * 1024

/**
 * How far `X-Shopify-Triggered-At` may lie from now, either way. Shopify retries a failed
 * delivery with the original time, so a retry later than this is refused as stale.
 */
/**
 * Shopify retries a failed delivery 8 times over 4 hours, each with the original trigger time, so the
 * window covers that schedule; the delivery id and the order's external id stop replays inside it.
 */
export const FRESHNESS_WINDOW_MS = 6 * 60 * 60_000

/** The channel of a shop not named in SHOPIFY_SHOP_CHANNELS, by the order's (shop) currency. */
export const CHANNEL_BY_CURRENCY: ReadonlyMap<string, string> = new Map([
  ['GBP', 'shopify-uk'],
  ['EUR', 'shopify-eu'],
  ['USD', 'shopify-usa'],
])

export const invalidSignature = () =>
  new AppError(401, 'INVALID_SIGNATURE', 'X-Shopify-Hmac-Sha256 is missing or does not match the body')

/** base64(HMAC-SHA256(secret, body)), as Shopify computes it over the exact bytes it sends. */
export function signatureOf(secret: string, body: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** Compares the signature header with the body's HMAC in constant time. */
export function hasValidSignature(secret: string, body: Buffer, header: unknown): boolean {
  if (typeof header !== 'string') return false
  const expected = Buffer.from(signatureOf(secret, body))
  const given = Buffer.from(header)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Refuses a delivery triggered outside FRESHNESS_WINDOW_MS of `now` (replays, wrong clocks). */
export function checkFreshness(triggeredAt: unknown, now: number): void {
  const at =
    typeof triggeredAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(triggeredAt)
      ? Date.parse(triggeredAt)
      : Number.NaN
  if (Number.isNaN(at))
    throw new AppError(401, 'STALE_WEBHOOK', 'X-Shopify-Triggered-At is missing or not an ISO time')
  if (Math.abs(now - at) > FRESHNESS_WINDOW_MS)
    throw new AppError(
      401,
      'STALE_WEBHOOK',
      `The delivery was triggered at ${triggeredAt}, more than ${FRESHNESS_WINDOW_MS / 3_600_000} hours from now`,
    )
}

const Amount = Type.String({ pattern: '^\\d{1,9}(\\.\\d{1,4})?$', description: 'decimal text, e.g. "34.99"' })

/** The fields of Shopify's `orders/create` payload that are used; any others are accepted and ignored. */
export const ShopifyOrder = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  admin_graphql_api_id: Type.Optional(Type.String({ maxLength: 200 })),
  name: Type.Optional(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'the shop currency' }),
  financial_status: Type.Optional(Nullable(Type.String())),
  cancelled_at: Type.Optional(Nullable(Type.String())),
  line_items: Type.Array(
    Type.Object({
      sku: Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$' }),
      quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      price: Amount,
    }),
    { minItems: 1, maxItems: 500 },
  ),
  total_tax: Type.Optional(Amount),
  total_shipping_price_set: Type.Optional(Type.Object({ shop_money: Type.Object({ amount: Amount }) })),
  shipping_address: Type.Optional(
    Nullable(Type.Object({ country_code: Type.Optional(Nullable(Type.String())) })),
  ),
})
export type ShopifyOrder = Static<typeof ShopifyOrder>

/** The shop's channel from SHOPIFY_SHOP_CHANNELS, else by currency. */
export function channelFor(
  shopDomain: unknown,
  currency: string,
  shopChannels: ReadonlyMap<string, string>,
): string {
  const byShop =
    typeof shopDomain === 'string' ? shopChannels.get(shopDomain.trim().toLowerCase()) : undefined
  const channel = byShop ?? CHANNEL_BY_CURRENCY.get(currency)
  if (!channel)
    throw new AppError(
      422,
      'UNKNOWN_SHOP',
      `No channel for shop ${String(shopDomain)} in ${currency}; list it in SHOPIFY_SHOP_CHANNELS`,
    )
  return channel
}

/**
 * Shopify ids can pass 2^53, beyond what a JSON number carries exactly; the GraphQL id holds
 * the same digits as text, so it is preferred.
 */
export function externalIdOf(order: ShopifyOrder): string {
  const digits = order.admin_graphql_api_id?.match(/^gid:\/\/shopify\/Order\/(\d{1,30})$/)?.[1]
  if (digits) return digits
  if (!Number.isSafeInteger(order.id))
    throw new AppError(
      400,
      'VALIDATION_FAILED',
      'id is too large to read exactly without admin_graphql_api_id',
      [{ path: '/id', message: 'must be at most 2^53 - 1' }],
    )
  return String(order.id)
}

export function toNewOrder(order: ShopifyOrder, channel: string): NewOrder {
  const shipping = order.total_shipping_price_set?.shop_money.amount
  return {
    externalId: externalIdOf(order),
    channel,
    currency: order.currency,
    placedAt: order.created_at,
    status: order.financial_status === 'paid' ? 'paid' : 'pending',
    lines: order.line_items.map((line) => ({
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: Number(line.price),
    })),
    tax: order.total_tax === undefined ? undefined : Number(order.total_tax),
    shipping: shipping === undefined ? undefined : Number(shipping),
  }
}

export interface Delivery {
  id: string
  topic: string
  shopDomain: unknown
  triggeredAt: unknown
}

export type Receipt = { orderId: string } | { duplicate: true }

/**
 * Books a signed delivery once: a delivery id seen before, or an order booked already (Shopify
 * may send one order under several delivery ids), is a duplicate and writes nothing. The
 * delivery is recorded in the order's transaction, so a refused order leaves no record and
 * Shopify's retry can succeed once the cause (an unknown SKU, a missing rate) is fixed.
 */
export async function receiveOrder(
  ctx: AppContext,
  delivery: Delivery,
  order: ShopifyOrder,
): Promise<Receipt> {
  const seen = await ctx.db
    .selectFrom('webhook_deliveries')
    .select('delivery_id')
    .where('source', '=', SOURCE)
    .where('delivery_id', '=', delivery.id)
    .executeTakeFirst()
  if (seen) return { duplicate: true }
  checkFreshness(delivery.triggeredAt, ctx.clock.ms())
  const input = toNewOrder(
    order,
    channelFor(delivery.shopDomain, order.currency, ctx.config.shopify.shopChannels),
  )

  let orderId: string | undefined
  try {
    orderId = await ctx.db.transaction().execute(async (tx) => {
      // A concurrent delivery with the same id waits here for ours, then does nothing.
      const claimed = await tx
        .insertInto('webhook_deliveries')
        .values({
          source: SOURCE,
          delivery_id: delivery.id,
          topic: delivery.topic,
          received_at: ctx.clock.now(),
        })
        .onConflict((conflict) => conflict.columns(['source', 'delivery_id']).doNothing())
        .returning('delivery_id')
        .executeTakeFirst()
      return claimed ? (await insertOrder(ctx, tx, input, SOURCE)).id : undefined
    })
  } catch (error) {
    if (error instanceof AppError && error.code === 'DUPLICATE_EXTERNAL_ID') return { duplicate: true }
    throw error
  }
  if (!orderId) return { duplicate: true }
  const booked = await getOrder(ctx, orderId)
  await publishBusinessEvent(ctx, 'order.created', {
    id: orderId,
    status: booked.status,
    totalBase: booked.totalBase,
  })
  return { orderId }
}
