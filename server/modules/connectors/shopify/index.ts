import { Tally } from '../tally.ts'
import type { Connector } from '../types.ts'
import { type ShopifySettings, shopInfo } from './client.ts'
import { syncOrders } from './orders.ts'
import { syncPrices } from './prices.ts'

/**
 * Shopify Admin REST API: orders changed since the last run (the cursor is the latest
 * `updated_at` seen) and product prices. It complements the order webhook: it catches orders
 * the webhook missed and the cancellations and refunds the webhook does not carry.
 */
export const shopifyConnector: Connector<ShopifySettings> = {
  name: 'shopify',
  title: 'Shopify Admin',
  resources: ['orders', 'product prices'],
  variables: ['SHOPIFY_ADMIN_URL', 'SHOPIFY_ADMIN_TOKEN'],
  schedule: '*/15 * * * *',
  settings(config) {
    const admin = config.connectors.shopify
    return admin && { ...admin, shopChannels: config.shopify.shopChannels }
  },
  async sync(run) {
    const shop = await shopInfo(run)
    const tally = new Tally()
    if (shop.servedVersion && shop.servedVersion !== run.config.apiVersion)
      tally.note(
        `Shopify served API version ${shop.servedVersion}, not ${run.config.apiVersion}: set SHOPIFY_API_VERSION to a supported one`,
      )
    await syncOrders(run, shop, tally)
    await syncPrices(run, shop, tally)
    return tally.result()
  },
}
