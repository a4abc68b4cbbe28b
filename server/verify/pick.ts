import { type CallOptions, type CheckScope, fail } from './checks.ts'

/** What the critical path orders: a product sold in a channel's market, with stock where the channel ships from. */
export interface Pick {
  sku: string
  channel: string
  market: string
  currency: string
  location: string
  available: number
}

interface Channel {
  code: string
  marketCode: string
  locationCode: string
}
interface Market {
  code: string
  currency: string
}
interface Product {
  sku: string
  active: boolean
  prices: { marketCode: string; price: number }[]
}
interface Level {
  sku: string
  location: string
  available: number
}

/** Pages of a cursor-paged list, at most this many (500 rows each). */
const MAX_PAGES = 20

async function allPages<T>(scope: CheckScope, path: string, auth: CallOptions): Promise<T[]> {
  const items: T[] = []
  let cursor: string | null = null
  for (let page = 0; page < MAX_PAGES; page++) {
    const url = `${path}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
    const { body } = await scope.expect(url, 200, auth)
    const answer = body as { items: T[]; nextCursor: string | null }
    items.push(...answer.items)
    cursor = answer.nextCursor
    if (!cursor) break
  }
  return items
}

/**
 * Finds, through the API only, an active finished product with a price in a channel's market
 * and at least `quantity` available at the location the channel ships from. `sku` and
 * `channel` narrow the search; channels are tried in the order the API lists them.
 */
export async function pickProduct(
  scope: CheckScope,
  auth: CallOptions,
  wanted: { sku?: string; channel?: string; quantity: number },
): Promise<Pick> {
  const channels = ((await scope.expect('/api/channels', 200, auth)).body as { items: Channel[] }).items
  const markets = ((await scope.expect('/api/markets', 200, auth)).body as { items: Market[] }).items
  const products = await allPages<Product>(scope, '/api/products?kind=finished&active=true', auth)
  const levels = await allPages<Level>(scope, '/api/inventory/levels?kind=finished', auth)
  const currencyOf = new Map(markets.map((m) => [m.code, m.currency]))
  const available = new Map(levels.map((l) => [`${l.sku}@${l.location}`, l.available]))

  const inChannel = channels.filter((c) => !wanted.channel || c.code === wanted.channel)
  if (inChannel.length === 0)
    fail(wanted.channel ? `no channel ${wanted.channel}` : 'no sales channel exists')
  const sold = products.filter((p) => p.active && (!wanted.sku || p.sku === wanted.sku))
  if (sold.length === 0)
    fail(wanted.sku ? `${wanted.sku} is not an active finished product` : 'no active finished product exists')
  for (const channel of inChannel) {
    for (const product of sold) {
      if (!product.prices.some((p) => p.marketCode === channel.marketCode)) continue
      const stock = available.get(`${product.sku}@${channel.locationCode}`) ?? 0
      if (stock < wanted.quantity) continue
      return {
        sku: product.sku,
        channel: channel.code,
        market: channel.marketCode,
        currency: currencyOf.get(channel.marketCode) ?? '?',
        location: channel.locationCode,
        available: stock,
      }
    }
  }
  return fail(
    `no active product with a price in its channel's market and ${wanted.quantity} available where the channel ships from` +
      ` (${inChannel.length} channels, ${sold.length} products looked at)`,
  )
}
