import type { Kysely, Transaction } from 'kysely'
import type { Tables } from '../../platform/db/schema.ts'

/**
 * The demo business's reference data: three GABA drinks sold in the UK, the EU and the USA
 * through Shopify, Amazon and wholesale, bottled on two lines from four components.
 * Prices are per bottle in the market's currency; costs are in pounds.
 */
export const DEMO_CATALOG = {
  markets: [
    { code: 'UK', name: 'United Kingdom', currency: 'GBP', tax_rate: 0.2, shipping_days: 2 },
    { code: 'EU', name: 'European Union', currency: 'EUR', tax_rate: 0.21, shipping_days: 4 },
    { code: 'USA', name: 'United States', currency: 'USD', tax_rate: 0.0725, shipping_days: 5 },
  ],
  locations: [
    { code: 'UK-WH', name: 'Leeds warehouse', kind: 'warehouse' as const },
    { code: 'EU-3PL', name: 'Rotterdam fulfilment', kind: 'fulfilment' as const },
    { code: 'US-3PL', name: 'New Jersey fulfilment', kind: 'fulfilment' as const },
    { code: 'FACTORY', name: 'Leeds bottling plant', kind: 'factory' as const },
  ],
  channels: [
    {
      code: 'shopify-uk',
      name: 'Shopify UK',
      kind: 'shopify' as const,
      market_code: 'UK',
      location_code: 'UK-WH',
      fee_pct: 0.029,
      payout_days: 3,
    },
    {
      code: 'shopify-eu',
      name: 'Shopify EU',
      kind: 'shopify' as const,
      market_code: 'EU',
      location_code: 'EU-3PL',
      fee_pct: 0.029,
      payout_days: 3,
    },
    {
      code: 'shopify-usa',
      name: 'Shopify USA',
      kind: 'shopify' as const,
      market_code: 'USA',
      location_code: 'US-3PL',
      fee_pct: 0.029,
      payout_days: 3,
    },
    {
      code: 'amazon-uk',
      name: 'Amazon UK',
      kind: 'amazon' as const,
      market_code: 'UK',
      location_code: 'UK-WH',
      fee_pct: 0.15,
      payout_days: 14,
    },
    {
      code: 'amazon-usa',
      name: 'Amazon USA',
      kind: 'amazon' as const,
      market_code: 'USA',
      location_code: 'US-3PL',
      fee_pct: 0.15,
      payout_days: 14,
    },
    {
      code: 'wholesale',
      name: 'Wholesale',
      kind: 'wholesale' as const,
      market_code: 'UK',
      location_code: 'UK-WH',
      fee_pct: 0,
      payout_days: 45,
    },
  ],
  products: [
    {
      sku: 'GABA-RED',
      name: 'GABA Red',
      kind: 'finished' as const,
      unit_cost: 6.4,
      lead_time_days: 7,
      moq: 120,
      batch_size: 1200,
      service_level: 0.95,
    },
    {
      sku: 'GABA-BLACK',
      name: 'GABA Black',
      kind: 'finished' as const,
      unit_cost: 7.1,
      lead_time_days: 7,
      moq: 120,
      batch_size: 1200,
      service_level: 0.95,
    },
    {
      sku: 'GABA-GOLD',
      name: 'GABA Gold',
      kind: 'finished' as const,
      unit_cost: 9.8,
      lead_time_days: 10,
      moq: 60,
      batch_size: 600,
      service_level: 0.98,
    },
    {
      sku: 'BOTTLE-500',
      name: 'Glass bottle 500 ml',
      kind: 'component' as const,
      unit_cost: 0.42,
      lead_time_days: 21,
      moq: 5000,
      batch_size: 5000,
      service_level: 0.95,
    },
    {
      sku: 'CAP-28',
      name: 'Screw cap 28 mm',
      kind: 'component' as const,
      unit_cost: 0.06,
      lead_time_days: 14,
      moq: 10000,
      batch_size: 10000,
      service_level: 0.95,
    },
    {
      sku: 'LABEL-SET',
      name: 'Label set',
      kind: 'component' as const,
      unit_cost: 0.11,
      lead_time_days: 10,
      moq: 5000,
      batch_size: 5000,
      service_level: 0.95,
    },
    {
      sku: 'BASE-GABA',
      name: 'GABA botanical base (litre)',
      kind: 'component' as const,
      unit_cost: 8.5,
      lead_time_days: 28,
      moq: 200,
      batch_size: 200,
      service_level: 0.95,
    },
  ],
  prices: [
    ['GABA-RED', { UK: 29.99, EU: 34.99, USA: 39.99 }],
    ['GABA-BLACK', { UK: 32.99, EU: 37.99, USA: 42.99 }],
    ['GABA-GOLD', { UK: 44.99, EU: 49.99, USA: 54.99 }],
  ] as const,
  bom: [
    ['GABA-RED', { 'BOTTLE-500': 1, 'CAP-28': 1, 'LABEL-SET': 1, 'BASE-GABA': 0.5 }],
    ['GABA-BLACK', { 'BOTTLE-500': 1, 'CAP-28': 1, 'LABEL-SET': 1, 'BASE-GABA': 0.5 }],
    ['GABA-GOLD', { 'BOTTLE-500': 1, 'CAP-28': 1, 'LABEL-SET': 1, 'BASE-GABA': 0.5 }],
  ] as const,
  suppliers: [
    {
      id: 'sup-glassworks',
      name: 'Northern Glassworks',
      email: 'orders@glassworks.example',
      currency: 'GBP',
      lead_time_days: 21,
      payment_days: 30,
    },
    {
      id: 'sup-closures',
      name: 'EuroClosures BV',
      email: 'sales@closures.example',
      currency: 'EUR',
      lead_time_days: 14,
      payment_days: 45,
    },
    {
      id: 'sup-print',
      name: 'Leeds Label Print',
      email: 'hello@labelprint.example',
      currency: 'GBP',
      lead_time_days: 10,
      payment_days: 30,
    },
    {
      id: 'sup-botanicals',
      name: 'Botanica Extracts',
      email: 'trade@botanica.example',
      currency: 'EUR',
      lead_time_days: 28,
      payment_days: 60,
    },
  ],
  lines: [
    { code: 'LINE-1', name: 'Bottling line 1', ideal_rate_per_hour: 1200 },
    { code: 'LINE-2', name: 'Bottling line 2', ideal_rate_per_hour: 900 },
  ],
}

/** Writes the demo catalog (markets to bills of materials) in one go. */
export async function insertDemoCatalog(db: Kysely<Tables> | Transaction<Tables>): Promise<void> {
  const c = DEMO_CATALOG
  await db.insertInto('markets').values(c.markets).execute()
  await db.insertInto('locations').values(c.locations).execute()
  await db.insertInto('channels').values(c.channels).execute()
  await db.insertInto('products').values(c.products).execute()
  await db
    .insertInto('product_prices')
    .values(
      c.prices.flatMap(([sku, byMarket]) =>
        Object.entries(byMarket).map(([market_code, price]) => ({ sku, market_code, price })),
      ),
    )
    .execute()
  await db
    .insertInto('bom_lines')
    .values(
      c.bom.flatMap(([product_sku, parts]) =>
        Object.entries(parts).map(([component_sku, quantity]) => ({ product_sku, component_sku, quantity })),
      ),
    )
    .execute()
  await db.insertInto('suppliers').values(c.suppliers).execute()
  await db.insertInto('production_lines').values(c.lines).execute()
}
