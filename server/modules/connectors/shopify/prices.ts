import { Type } from 'typebox'
import { Value } from 'typebox/value'
import type { AppContext } from '../../../context.ts'
import { Nullable } from '../../../platform/http/schema.ts'
import { auditUpdate } from '../../catalog/writes.ts'
import { channelFor } from '../../integrations/shopify/webhook.ts'
import type { Tally } from '../tally.ts'
import { adminUrl, PAGE_LIMIT, pages, type ShopInfo, type ShopifyRun } from './client.ts'
import { CONNECTOR_ACTOR } from './orders.ts'

/**
 * Product prices: each variant whose SKU is a finished product in the catalog sets that
 * product's price in the shop's market (the market of the shop's channel, whose currency must
 * be the shop's). Names, costs and everything else stay as the catalog has them, and unknown
 * SKUs are not created: the catalog holds what Shopify does not know (costs, lead times, bills
 * of materials). Every change is audited as `catalog_update` by the connector.
 */

const Variant = Type.Object({
  sku: Type.Optional(Nullable(Type.String())),
  price: Type.String({ pattern: '^\\d{1,9}(\\.\\d{1,4})?$' }),
})
const Product = Type.Object({ id: Type.Integer(), variants: Type.Array(Type.Unknown()) })

interface PricedSku {
  sku: string
  price: number
}

export async function syncPrices(run: ShopifyRun, shop: ShopInfo, tally: Tally): Promise<void> {
  const market = await shopMarket(run.app, shop, tally)
  const url = adminUrl(run.config, 'products', { limit: String(PAGE_LIMIT) })
  for await (const page of pages(run, url, 'products')) {
    const priced: PricedSku[] = []
    for (const product of page) {
      if (!Value.Check(Product, product)) {
        tally.fetched += 1
        tally.skip(`product ${String((product as { id?: unknown } | null)?.id)}: not a product`)
        continue
      }
      for (const variant of product.variants) {
        tally.fetched += 1
        // Variants without a SKU (gift cards, services) are not catalog items.
        if (!Value.Check(Variant, variant) || !variant.sku?.trim()) tally.skip()
        else priced.push({ sku: variant.sku.trim(), price: Number(variant.price) })
      }
    }
    if (!market) {
      tally.skipped += priced.length
      continue
    }
    await applyPrices(run.app, market, priced, tally)
  }
}

/** The market prices are set in, or undefined (with a note) when the shop has none that fits. */
async function shopMarket(ctx: AppContext, shop: ShopInfo, tally: Tally): Promise<string | undefined> {
  let channelCode: string
  try {
    channelCode = channelFor(shop.domain, shop.currency, ctx.config.shopify.shopChannels)
  } catch (error) {
    tally.note(`prices not read: ${(error as Error).message}`)
    return undefined
  }
  const channel = await ctx.db
    .selectFrom('channels')
    .innerJoin('markets', 'markets.code', 'channels.market_code')
    .select(['markets.code', 'markets.currency'])
    .where('channels.code', '=', channelCode)
    .executeTakeFirst()
  if (!channel) {
    tally.note(`prices not read: no sales channel ${channelCode}`)
    return undefined
  }
  if (channel.currency.trim() !== shop.currency) {
    tally.note(
      `prices not read: the shop sells in ${shop.currency}, market ${channel.code} in ${channel.currency.trim()}`,
    )
    return undefined
  }
  return channel.code
}

async function applyPrices(ctx: AppContext, market: string, priced: PricedSku[], tally: Tally) {
  const skus = [...new Set(priced.map((p) => p.sku))]
  if (skus.length === 0) return
  const products = await ctx.db
    .selectFrom('products')
    .leftJoin('product_prices', (join) =>
      join.onRef('product_prices.sku', '=', 'products.sku').on('product_prices.market_code', '=', market),
    )
    .select(['products.sku', 'products.kind', 'product_prices.price'])
    .where('products.sku', 'in', skus)
    .execute()
  const bySku = new Map(products.map((p) => [p.sku, p]))
  const changes: (PricedSku & { old: number | null })[] = []
  for (const item of priced) {
    const product = bySku.get(item.sku)
    if (!product) tally.skip(`variant ${item.sku}: no such product in the catalog`)
    else if (product.kind !== 'finished') tally.skip(`variant ${item.sku}: a component in the catalog`)
    else {
      const old = product.price === null ? null : Number(product.price)
      if (old !== null && Math.abs(old - item.price) < 0.00005) tally.skip()
      else {
        changes.push({ ...item, old })
        // A later variant with the same SKU compares against this price.
        bySku.set(item.sku, { ...product, price: String(item.price) })
      }
    }
  }
  if (changes.length === 0) return
  await ctx.db.transaction().execute(async (tx) => {
    for (const change of changes) {
      await tx
        .insertInto('product_prices')
        .values({ sku: change.sku, market_code: market, price: change.price })
        .onConflict((conflict) =>
          conflict.columns(['sku', 'market_code']).doUpdateSet({ price: change.price }),
        )
        .execute()
      await auditUpdate(
        tx,
        { type: 'product', id: change.sku },
        { prices: change.old === null ? [] : [{ marketCode: market, price: change.old }] },
        { prices: [{ marketCode: market, price: change.price }] },
        { actor: CONNECTOR_ACTOR },
      )
    }
  })
  tally.written += changes.length
}
