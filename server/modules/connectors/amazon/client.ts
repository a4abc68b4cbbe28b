import { type Static, Type } from 'typebox'
import type { AmazonSettings } from '../../../config-connectors.ts'
import { checkShape } from '../../../platform/external-json.ts'
import { Nullable } from '../../../platform/http/schema.ts'
import { ConnectorHttpError, type ConnectorResponse, type SyncRun } from '../types.ts'
import { accessToken, forgetToken } from './token.ts'

/** The Orders API (v0) as this connector reads it: orders updated since a time, then each one's items. */

/** A run stops following NextToken here rather than loop on an answer that never ends. */
const MAX_PAGES = 1000

const Money = Type.Object({ CurrencyCode: Type.String(), Amount: Type.Union([Type.String(), Type.Number()]) })

export const AmazonOrder = Type.Object({
  AmazonOrderId: Type.String({ minLength: 1, maxLength: 60 }),
  PurchaseDate: Type.String(),
  LastUpdateDate: Type.String(),
  OrderStatus: Type.String(),
  MarketplaceId: Type.String(),
  OrderTotal: Type.Optional(Nullable(Money)),
})
export type AmazonOrder = Static<typeof AmazonOrder>

export const OrderItem = Type.Object({
  SellerSKU: Type.Optional(Nullable(Type.String())),
  QuantityOrdered: Type.Integer({ minimum: 0 }),
  ItemPrice: Type.Optional(Nullable(Money)),
  ShippingPrice: Type.Optional(Nullable(Money)),
})
export type OrderItem = Static<typeof OrderItem>

const OrdersPage = Type.Object({
  payload: Type.Object({
    Orders: Type.Array(AmazonOrder),
    NextToken: Type.Optional(Nullable(Type.String())),
  }),
})
const ItemsPage = Type.Object({
  payload: Type.Object({
    OrderItems: Type.Array(OrderItem),
    NextToken: Type.Optional(Nullable(Type.String())),
  }),
})

export const amount = (money: { Amount: string | number } | null | undefined) => Number(money?.Amount ?? 0)

/**
 * A GET with the access token. A refusal of a token from the cache (revoked, or expired early)
 * is answered once with a new token; a refusal of a new one is final.
 */
async function get(run: SyncRun<AmazonSettings>, url: string): Promise<ConnectorResponse> {
  const send = (token: string) =>
    run.fetch({ url, headers: { accept: 'application/json', 'x-amz-access-token': token } })
  const first = await accessToken(run)
  try {
    return await send(first.token)
  } catch (error) {
    if (!(error instanceof ConnectorHttpError) || ![401, 403].includes(error.status) || !first.cached)
      throw error
    forgetToken(run.config)
    return send((await accessToken(run)).token)
  }
}

/** Every page of orders updated after `after` in the given marketplaces, handed to `book` as it comes. */
export async function eachOrderPage(
  run: SyncRun<AmazonSettings>,
  endpoint: string,
  marketplaceIds: string[],
  after: Date,
  book: (orders: AmazonOrder[]) => Promise<void>,
): Promise<void> {
  const marketplaces = `MarketplaceIds=${marketplaceIds.map(encodeURIComponent).join(',')}`
  let query = `${marketplaces}&LastUpdatedAfter=${encodeURIComponent(`${after.toISOString().slice(0, 19)}Z`)}`
  for (let page = 1; page <= MAX_PAGES; page++) {
    if (run.signal.aborted) throw run.signal.reason
    const response = await get(run, `${endpoint}/orders/v0/orders?${query}`)
    const { payload } = checkShape(OrdersPage, response.json, 'The getOrders answer')
    await book(payload.Orders)
    if (!payload.NextToken) return
    query = `${marketplaces}&NextToken=${encodeURIComponent(payload.NextToken)}`
  }
  throw new Error(`getOrders returned more than ${MAX_PAGES} pages; stopped`)
}

/** All the items of one order, across pages. */
export async function orderItems(
  run: SyncRun<AmazonSettings>,
  endpoint: string,
  orderId: string,
): Promise<OrderItem[]> {
  const base = `${endpoint}/orders/v0/orders/${encodeURIComponent(orderId)}/orderItems`
  const items: OrderItem[] = []
  let next: string | null | undefined
  for (let page = 1; page <= MAX_PAGES; page++) {
    const response = await get(run, next ? `${base}?NextToken=${encodeURIComponent(next)}` : base)
    const { payload } = checkShape(ItemsPage, response.json, `The items of order ${orderId}`)
    items.push(...payload.OrderItems)
    next = payload.NextToken
    if (!next) return items
  }
  throw new Error(`getOrderItems for ${orderId} returned more than ${MAX_PAGES} pages; stopped`)
}
