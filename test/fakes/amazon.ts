import { randomBytes } from 'node:crypto'
import { type FakeServer, startFake } from './http.ts'

/**
 * A local Login with Amazon token endpoint and SP-API Orders API (v0): the token endpoint checks
 * the client and the refresh token (401 invalid_client, 400 invalid_grant); the API wants a live
 * `x-amz-access-token` (403 when missing, unknown or expired by the given clock), filters by
 * MarketplaceIds and LastUpdatedAfter, and pages orders and items with NextToken.
 */

export interface AmazonMoney {
  CurrencyCode: string
  Amount: string
}

export interface AmazonFakeOrder {
  AmazonOrderId: string
  PurchaseDate: string
  LastUpdateDate: string
  OrderStatus: string
  MarketplaceId: string
  OrderTotal?: AmazonMoney
  items: {
    SellerSKU: string
    QuantityOrdered: number
    ItemPrice?: AmazonMoney
    ShippingPrice?: AmazonMoney
  }[]
}

export interface AmazonFake extends FakeServer {
  orders: AmazonFakeOrder[]
  pageSize: number
  /** Tokens issued so far. */
  issued: number
  /** Makes every token issued so far invalid (as a revocation would). */
  revokeTokens(): void
}

const TOKEN_SECONDS = 3600
const unauthorized = (message: string) => ({
  status: 403,
  body: {
    errors: [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: message }],
  },
})
const invalidInput = (message: string) => ({
  status: 400,
  body: { errors: [{ code: 'InvalidInput', message }] },
})

export async function startAmazonFake(options: {
  clientId: string
  clientSecret: string
  refreshToken: string
  now: () => number
}): Promise<AmazonFake> {
  const tokens = new Map<string, number>()
  const state = {
    orders: [] as AmazonFakeOrder[],
    pageSize: 2,
    issued: 0,
    revokeTokens: () => tokens.clear(),
  }
  const server = await startFake((request) => {
    if (request.method === 'POST' && request.path === '/auth/o2/token') {
      const form = new URLSearchParams(request.body)
      if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
        return { status: 400, body: { error: 'invalid_request' } }
      if (form.get('client_id') !== options.clientId || form.get('client_secret') !== options.clientSecret)
        return {
          status: 401,
          body: { error: 'invalid_client', error_description: 'Client authentication failed' },
        }
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== options.refreshToken)
        return {
          status: 400,
          body: { error: 'invalid_grant', error_description: 'The request has an invalid grant parameter' },
        }
      const token = `Atza|${randomBytes(12).toString('base64url')}`
      tokens.set(token, options.now() + TOKEN_SECONDS * 1000)
      state.issued++
      return {
        status: 200,
        body: {
          access_token: token,
          refresh_token: options.refreshToken,
          token_type: 'bearer',
          expires_in: TOKEN_SECONDS,
        },
      }
    }
    const token = request.headers['x-amz-access-token']
    if (typeof token !== 'string') return unauthorized('x-amz-access-token is missing')
    const expiresAt = tokens.get(token)
    if (expiresAt === undefined) return unauthorized('The access token is not valid')
    if (expiresAt <= options.now()) return unauthorized('The access token you provided has expired')

    const params = new URLSearchParams(request.query)
    const next = params.get('NextToken')
    const cursor = next
      ? (JSON.parse(Buffer.from(next, 'base64url').toString()) as { offset: number })
      : { offset: 0 }
    const items = /^\/orders\/v0\/orders\/([^/]+)\/orderItems$/.exec(request.path)
    if (items) {
      const order = state.orders.find((o) => o.AmazonOrderId === decodeURIComponent(items[1]!))
      if (!order) return { status: 404, body: { errors: [{ code: 'NotFound', message: 'Order not found' }] } }
      // one item a page, so an order of two items takes a NextToken
      const page = order.items.slice(cursor.offset, cursor.offset + 1)
      const more = cursor.offset + 1 < order.items.length
      return {
        status: 200,
        body: {
          payload: {
            AmazonOrderId: order.AmazonOrderId,
            OrderItems: page,
            ...(more
              ? {
                  NextToken: Buffer.from(JSON.stringify({ offset: cursor.offset + 1 })).toString('base64url'),
                }
              : {}),
          },
        },
      }
    }
    if (request.path !== '/orders/v0/orders') return { status: 404, body: { errors: [{ code: 'NotFound' }] } }
    const marketplaces = params.get('MarketplaceIds')?.split(',') ?? []
    if (marketplaces.length === 0) return invalidInput('MarketplaceIds is required')
    let after = Number.NEGATIVE_INFINITY
    if (next) after = (cursor as { offset: number; after: number }).after
    else {
      const given = params.get('LastUpdatedAfter') ?? params.get('CreatedAfter')
      if (!given || Number.isNaN(Date.parse(given)))
        return invalidInput('LastUpdatedAfter or CreatedAfter is required')
      after = Date.parse(given)
      if (after > options.now() - 120_000)
        return invalidInput('LastUpdatedAfter must be no later than two minutes before the request time')
    }
    const matching = state.orders
      .filter((o) => marketplaces.includes(o.MarketplaceId) && Date.parse(o.LastUpdateDate) >= after)
      .sort((a, b) => Date.parse(a.LastUpdateDate) - Date.parse(b.LastUpdateDate))
    const page = matching.slice(cursor.offset, cursor.offset + state.pageSize)
    const more = cursor.offset + state.pageSize < matching.length
    return {
      status: 200,
      body: {
        payload: {
          Orders: page.map(({ items: _items, ...order }) => order),
          ...(more
            ? {
                NextToken: Buffer.from(
                  JSON.stringify({ offset: cursor.offset + state.pageSize, after }),
                ).toString('base64url'),
              }
            : {}),
        },
      },
    }
  })
  return Object.assign(state, server)
}
