import { Type } from 'typebox'
import { Value } from 'typebox/value'
import type { ShopifyAdminSettings } from '../../../config-connectors.ts'
import type { SyncRun } from '../types.ts'

/**
 * Requests to the Shopify Admin REST API: the access-token header, the versioned paths and
 * cursor pagination through the Link header, whose next-page URL is followed exactly as given
 * (Shopify refuses other parameters next to `page_info`).
 */

export interface ShopifySettings extends ShopifyAdminSettings {
  /** SHOPIFY_SHOP_CHANNELS, shared with the webhook. */
  shopChannels: ReadonlyMap<string, string>
}

export type ShopifyRun = SyncRun<ShopifySettings>

/** Shopify's largest page. */
export const PAGE_LIMIT = 250
/** A run reads at most this many pages of one resource (250 000 records), then fails rather than loop. */
const MAX_PAGES = 1000

export function adminUrl(
  settings: ShopifyAdminSettings,
  resource: string,
  query: Record<string, string> = {},
) {
  const search = new URLSearchParams(query).toString()
  return `${settings.url}/admin/api/${settings.apiVersion}/${resource}.json${search ? `?${search}` : ''}`
}

const headersFor = (settings: ShopifyAdminSettings) => ({
  'x-shopify-access-token': settings.token,
  accept: 'application/json',
})

/** The rel="next" URL of a Link header, or null on the last page. */
export function nextPageUrl(link: string | null): string | null {
  if (!link) return null
  for (const match of link.matchAll(/<([^>]*)>\s*;\s*rel="?([a-z]+)"?/g))
    if (match[2] === 'next') return match[1]!
  return null
}

/** Every page of one list resource, each as the raw items under `key`. */
export async function* pages(run: ShopifyRun, firstUrl: string, key: string): AsyncGenerator<unknown[]> {
  const { config, fetch, signal } = run
  let url: string | null = firstUrl
  for (let page = 1; url; page++) {
    if (page > MAX_PAGES) throw new Error(`${key}: more than ${MAX_PAGES} pages in one run`)
    signal.throwIfAborted()
    const response = await fetch({ url, headers: headersFor(config) })
    const items = (response.json as Record<string, unknown> | null)?.[key]
    if (!Array.isArray(items)) throw new Error(`${url} answered without a "${key}" list`)
    yield items
    url = nextPageUrl(response.headers.get('link'))
    // The token goes to the configured shop only.
    if (url && new URL(url).origin !== config.url)
      throw new Error(`Shopify's next page is on ${new URL(url).origin}, not ${config.url}; not followed`)
  }
}

const Shop = Type.Object({
  shop: Type.Object({
    myshopify_domain: Type.String({ minLength: 1 }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  }),
})

export interface ShopInfo {
  /** The shop's myshopify.com domain, which SHOPIFY_SHOP_CHANNELS is keyed by. */
  domain: string
  currency: string
  /** The API version Shopify actually served. */
  servedVersion: string | null
}

/** The shop's domain and currency (GET shop.json); the first request, so bad credentials fail here. */
export async function shopInfo(run: ShopifyRun): Promise<ShopInfo> {
  const response = await run.fetch({ url: adminUrl(run.config, 'shop'), headers: headersFor(run.config) })
  if (!Value.Check(Shop, response.json))
    throw new Error('shop.json answered without the shop domain and currency')
  return {
    domain: response.json.shop.myshopify_domain,
    currency: response.json.shop.currency,
    servedVersion: response.headers.get('x-shopify-api-version'),
  }
}
