import type { Db } from '../../platform/db/database.ts'
import { BASE_CURRENCY } from '../finance/fx.ts'

/**
 * The reference data rows are checked against, read once per import: markets, channels,
 * locations, products with their prices, and FX rates. Catalogs are small next to the files.
 */
export interface Reference {
  markets: Map<string, { currency: string; taxRate: number }>
  channels: Map<string, { market: string; location: string }>
  locations: Set<string>
  products: Map<string, { unitCost: number; active: boolean; prices: Map<string, number> }>
  /** Per currency, rates by day ascending. */
  rates: Map<string, { day: string; rate: number }[]>
}

export async function loadReference(db: Db): Promise<Reference> {
  const [markets, channels, locations, products, prices, rates] = await Promise.all([
    db.selectFrom('markets').selectAll().execute(),
    db.selectFrom('channels').selectAll().execute(),
    db.selectFrom('locations').select('code').execute(),
    db.selectFrom('products').select(['sku', 'unit_cost', 'active']).execute(),
    db.selectFrom('product_prices').selectAll().execute(),
    db.selectFrom('fx_rates').selectAll().orderBy('currency').orderBy('day').execute(),
  ])
  const reference: Reference = {
    markets: new Map(
      markets.map((m) => [m.code, { currency: m.currency.trim(), taxRate: Number(m.tax_rate) }]),
    ),
    channels: new Map(channels.map((c) => [c.code, { market: c.market_code, location: c.location_code }])),
    locations: new Set(locations.map((l) => l.code)),
    products: new Map(
      products.map((p) => [p.sku, { unitCost: Number(p.unit_cost), active: p.active, prices: new Map() }]),
    ),
    rates: new Map(),
  }
  for (const price of prices)
    reference.products.get(price.sku)?.prices.set(price.market_code, Number(price.price))
  for (const row of rates) {
    const currency = row.currency.trim()
    const list = reference.rates.get(currency) ?? []
    list.push({ day: row.day, rate: Number(row.rate) })
    reference.rates.set(currency, list)
  }
  return reference
}

/** The rate on or before the day of `at`, as finance/fx.ts `fxRate` picks it; undefined when none. */
export function rateOn(reference: Reference, currency: string, at: Date): number | undefined {
  if (currency === BASE_CURRENCY) return 1
  const list = reference.rates.get(currency)
  if (!list) return undefined
  const day = at.toISOString().slice(0, 10)
  let low = 0
  let high = list.length - 1
  let found: number | undefined
  while (low <= high) {
    const mid = (low + high) >> 1
    if (list[mid]!.day <= day) {
      found = list[mid]!.rate
      low = mid + 1
    } else high = mid - 1
  }
  return found
}
