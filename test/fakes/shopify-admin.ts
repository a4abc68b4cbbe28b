import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A local Shopify Admin REST API for the connector's tests: a real HTTP server on 127.0.0.1
 * serving `shop.json`, `orders.json` and `products.json` under `/admin/api/{version}/` in
 * Shopify's documented shapes. It answers 401 without the right `X-Shopify-Access-Token`,
 * pages with `Link: <…page_info=…>; rel="next"` (and refuses other filters next to
 * `page_info`, as Shopify does), filters orders by `status` and `updated_at_min`, and can be
 * told to fail: 5xx, 429 with Retry-After, or no answer at all.
 */

export type ShopifyRecord = Record<string, unknown> & { id: number }

export type Failure = { status: number; retryAfter?: string } | { hang: true }

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  token: string | undefined
  status: number | 'hung'
}

export interface ShopifyAdminFake {
  url: string
  token: string
  shop: { myshopify_domain: string; currency: string; name: string }
  orders: ShopifyRecord[]
  products: ShopifyRecord[]
  /** Records per page whatever `limit` asks (small, so a few records make several pages). */
  pageSize: number
  /** Answer as this API version whatever the path asks (Shopify does so for a retired version). */
  servedVersion: string | null
  requests: FakeRequest[]
  /** The next requests (one each) answer these failures instead. */
  failNext(...failures: Failure[]): void
  /** Every request fails like this until called with null. */
  failAlways(failure: Failure | null): void
  /** Resolves when the next request is left hanging. */
  whenHung(): Promise<void>
  close(): Promise<void>
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
  res.end(JSON.stringify(body))
}

interface Cursor {
  resource: 'orders' | 'products'
  filters: Record<string, string>
  offset: number
}
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url')
const decodeCursor = (token: string): Cursor | null => {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString()) as Cursor
  } catch {
    return null
  }
}

function ordersMatching(orders: ShopifyRecord[], filters: Record<string, string>): ShopifyRecord[] {
  const status = filters.status ?? 'open'
  const since = filters.updated_at_min ? Date.parse(filters.updated_at_min) : Number.NEGATIVE_INFINITY
  return orders.filter((order) => {
    if (Date.parse(String(order.updated_at)) < since) return false
    if (status === 'any') return true
    if (status === 'cancelled') return order.cancelled_at != null
    const closed = order.closed_at != null || order.cancelled_at != null
    return status === 'closed' ? closed : !closed
  })
}

export async function startShopifyAdminFake(
  options: { token?: string; domain?: string; currency?: string } = {},
): Promise<ShopifyAdminFake> {
  const failures: Failure[] = []
  let always: Failure | null = null
  const hung: (() => void)[] = []
  const fake = {
    url: '',
    token: options.token ?? 'shpat_fake_0123456789abcdef',
    shop: {
      myshopify_domain: options.domain ?? 'uk.example.myshopify.com',
      currency: options.currency ?? 'GBP',
      name: 'Sentia UK',
    },
    orders: [] as ShopifyRecord[],
    products: [] as ShopifyRecord[],
    pageSize: 250,
    servedVersion: null as string | null,
    requests: [] as FakeRequest[],
  }

  function list(req: IncomingMessage, res: ServerResponse, base: string, resource: 'orders' | 'products') {
    const query = new URL(req.url ?? '/', 'http://fake').searchParams
    const limit = Number(query.get('limit') ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 250)
      return json(res, 400, { errors: { limit: ['must be between 1 and 250'] } })
    const pageInfo = query.get('page_info')
    let cursor: Cursor
    if (pageInfo) {
      const others = [...query.keys()].filter((key) => !['page_info', 'limit', 'fields'].includes(key))
      if (others.length > 0)
        return json(res, 400, {
          errors: `page_info cannot be combined with other parameters (${others.join(', ')})`,
        })
      const decoded = decodeCursor(pageInfo)
      if (!decoded || decoded.resource !== resource)
        return json(res, 400, { errors: 'page_info - Invalid value.' })
      cursor = decoded
    } else {
      const filters = Object.fromEntries([...query].filter(([key]) => key !== 'limit'))
      cursor = { resource, filters, offset: 0 }
    }
    const all = resource === 'orders' ? ordersMatching(fake.orders, cursor.filters) : fake.products
    const size = Math.min(limit, fake.pageSize)
    const items = all.slice(cursor.offset, cursor.offset + size)
    const link = (offset: number, rel: string) =>
      `<${fake.url}${base}/${resource}.json?limit=${limit}&page_info=${encodeCursor({ ...cursor, offset })}>; rel="${rel}"`
    const links = [
      ...(cursor.offset > 0 ? [link(Math.max(0, cursor.offset - size), 'previous')] : []),
      ...(cursor.offset + size < all.length ? [link(cursor.offset + size, 'next')] : []),
    ]
    json(res, 200, { [resource]: items }, links.length > 0 ? { link: links.join(', ') } : {})
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const token = req.headers['x-shopify-access-token']
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      token: typeof token === 'string' ? token : undefined,
      status: 0,
    }
    fake.requests.push(request)
    const failure = failures.shift() ?? always
    if (failure && 'hang' in failure) {
      request.status = 'hung'
      for (const resolve of hung.splice(0)) resolve()
      return // never answered; close() drops the connection
    }
    res.on('finish', () => {
      request.status = res.statusCode
    })
    if (failure) {
      const headers: Record<string, string> = failure.retryAfter ? { 'retry-after': failure.retryAfter } : {}
      const message =
        failure.status === 429
          ? 'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.'
          : 'Internal Server Error'
      return json(res, failure.status, { errors: message }, headers)
    }
    if (request.token !== fake.token)
      return json(res, 401, {
        errors: '[API] Invalid API key or access token (unrecognized login or wrong password)',
      })
    const match = /^(\/admin\/api\/(\d{4}-\d{2}|unstable))\/(shop|orders|products)\.json$/.exec(url.pathname)
    if (req.method !== 'GET' || !match) return json(res, 404, { errors: 'Not Found' })
    res.setHeader('x-shopify-api-version', fake.servedVersion ?? match[2]!)
    res.setHeader('x-shopify-shop-api-call-limit', '1/40')
    if (match[3] === 'shop') return json(res, 200, { shop: fake.shop })
    list(req, res, match[1]!, match[3] as 'orders' | 'products')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return Object.assign(fake, {
    failNext(...next: Failure[]) {
      failures.push(...next)
    },
    failAlways(failure: Failure | null) {
      always = failure
    },
    whenHung: () => new Promise<void>((resolve) => hung.push(resolve)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  })
}

/** An order as `orders.json` lists it, with fields the app does not read; `changes` override. */
export function shopifyOrder(id: number, changes: Record<string, unknown> = {}): ShopifyRecord {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 1000)}`,
    email: 'customer@example.com',
    created_at: '2026-01-05T08:58:00+00:00',
    updated_at: '2026-01-05T08:58:00+00:00',
    processed_at: '2026-01-05T08:58:00+00:00',
    currency: 'GBP',
    presentment_currency: 'GBP',
    financial_status: 'paid',
    fulfillment_status: null,
    cancelled_at: null,
    closed_at: null,
    cancel_reason: null,
    line_items: [{ id: id * 10 + 1, title: 'GABA Red', sku: 'GABA-RED', quantity: 2, price: '29.99' }],
    total_tax: '12.00',
    total_shipping_price_set: {
      shop_money: { amount: '4.95', currency_code: 'GBP' },
      presentment_money: { amount: '4.95', currency_code: 'GBP' },
    },
    shipping_address: { country_code: 'GB' },
    ...changes,
  }
}

/** A product as `products.json` lists it: variants carry the SKU and the price in the shop's currency. */
export function shopifyProduct(
  id: number,
  title: string,
  variants: { sku: string | null; price: string; title?: string }[],
): ShopifyRecord {
  return {
    id,
    title,
    handle: title.toLowerCase().replace(/\W+/g, '-'),
    status: 'active',
    product_type: 'Drink',
    updated_at: '2026-01-04T10:00:00+00:00',
    variants: variants.map((variant, index) => ({
      id: id * 100 + index,
      product_id: id,
      title: variant.title ?? 'Default Title',
      sku: variant.sku,
      price: variant.price,
      inventory_quantity: 10,
    })),
  }
}
