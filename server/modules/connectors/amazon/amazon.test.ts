import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../../test/app.ts'
import { insertCatalogAndRates } from '../../../../test/business.ts'
import { TestClock } from '../../../../test/clock.ts'
import { type AmazonFake, type AmazonFakeOrder, startAmazonFake } from '../../../../test/fakes/amazon.ts'
import { ConfigError, loadConfig } from '../../../config.ts'
import type { AmazonSettings } from '../../../config-connectors.ts'
import type { AppContext } from '../../../context.ts'
import { createFetcher } from '../http.ts'
import { ConnectorHttpError } from '../types.ts'
import { amazonConnector } from './index.ts'
import { marketplacesByEndpoint } from './regions.ts'

const UK = 'A1F83G8C2ARO7P'
const US = 'ATVPDKIKX0DER'
const credentials = {
  clientId: 'amzn1.application-oa2-client.test',
  clientSecret: 'lwa-secret',
  refreshToken: 'Atzr|refresh',
}
const gbp = (amount: string) => ({ CurrencyCode: 'GBP', Amount: amount })

describe('Amazon settings', () => {
  it('is not configured without credentials, and partial credentials name the missing one', () => {
    expect(amazonConnector.settings(loadConfig({}))).toBeUndefined()
    let error: unknown
    try {
      loadConfig({ AMAZON_LWA_CLIENT_ID: 'id', AMAZON_REFRESH_TOKEN: 'r' })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).variable).toBe('AMAZON_LWA_CLIENT_SECRET')
  })

  it('pulls the UK and US marketplaces by default, each from its region', () => {
    const settings = amazonConnector.settings(
      loadConfig({ AMAZON_LWA_CLIENT_ID: 'id', AMAZON_LWA_CLIENT_SECRET: 's', AMAZON_REFRESH_TOKEN: 'r' }),
    )!
    expect(settings.lwaUrl).toBe('https://api.amazon.com/auth/o2/token')
    expect([...settings.marketplaceChannels]).toEqual([
      [UK, 'amazon-uk'],
      [US, 'amazon-usa'],
    ])
    expect([...marketplacesByEndpoint(settings)]).toEqual([
      ['https://sellingpartnerapi-eu.amazon.com', [UK]],
      ['https://sellingpartnerapi-na.amazon.com', [US]],
    ])
    expect([...marketplacesByEndpoint({ ...settings, endpoint: 'http://sandbox' })]).toEqual([
      ['http://sandbox', [UK, US]],
    ])
  })
})

describe('Amazon connector', () => {
  const clock = new TestClock('2026-01-05T09:00:00Z')
  let fake: AmazonFake
  let ctx: AppContext
  let settings: AmazonSettings

  const sync = (since: string | null, config = settings) =>
    amazonConnector.sync({
      app: ctx,
      config,
      fetch: createFetcher({ sleep: async () => {} }),
      since,
      signal: new AbortController().signal,
    })
  const order = (id: string, fields: Partial<AmazonFakeOrder>): AmazonFakeOrder => ({
    AmazonOrderId: id,
    PurchaseDate: '2026-01-04T10:00:00Z',
    LastUpdateDate: '2026-01-04T10:05:00Z',
    OrderStatus: 'Unshipped',
    MarketplaceId: UK,
    items: [],
    ...fields,
  })
  const booked = () =>
    ctx.db
      .selectFrom('orders')
      .select([
        'external_id',
        'channel_code',
        'currency',
        'status',
        'subtotal',
        'tax',
        'shipping',
        'total',
        'total_base',
      ])
      .where('source', '=', 'amazon')
      .orderBy('external_id')
      .execute()

  beforeAll(async () => {
    fake = await startAmazonFake({ ...credentials, now: () => clock.ms() })
    ctx = await createTestContext({
      clock,
      start: false,
      env: {
        AMAZON_LWA_CLIENT_ID: credentials.clientId,
        AMAZON_LWA_CLIENT_SECRET: credentials.clientSecret,
        AMAZON_REFRESH_TOKEN: credentials.refreshToken,
        AMAZON_LWA_URL: `${fake.url}/auth/o2/token`,
        AMAZON_SP_API_URL: fake.url,
      },
    })
    settings = amazonConnector.settings(ctx.config)!
    await insertCatalogAndRates(ctx)
    fake.orders.push(
      order('202-0000001-0000001', {
        OrderStatus: 'Shipped',
        OrderTotal: gbp('108.96'),
        items: [
          { SellerSKU: 'GABA-RED', QuantityOrdered: 2, ItemPrice: gbp('59.98'), ShippingPrice: gbp('3.99') },
          { SellerSKU: 'GABA-GOLD', QuantityOrdered: 1, ItemPrice: gbp('44.99') },
        ],
      }),
      order('111-0000002-0000002', {
        MarketplaceId: US,
        LastUpdateDate: '2026-01-04T11:00:00Z',
        OrderTotal: { CurrencyCode: 'USD', Amount: '138.32' },
        items: [
          {
            SellerSKU: 'GABA-BLACK',
            QuantityOrdered: 3,
            ItemPrice: { CurrencyCode: 'USD', Amount: '128.97' },
          },
        ],
      }),
      order('202-0000003-0000003', { OrderStatus: 'Pending', LastUpdateDate: '2026-01-04T12:00:00Z' }),
      order('202-0000004-0000004', {
        LastUpdateDate: '2026-01-04T13:00:00Z',
        OrderTotal: gbp('10.00'),
        items: [{ SellerSKU: 'NOT-OURS', QuantityOrdered: 1, ItemPrice: gbp('10.00') }],
      }),
      order('202-0000005-0000005', {
        LastUpdateDate: '2026-01-04T14:00:00Z',
        OrderTotal: { CurrencyCode: 'SEK', Amount: '399.00' },
        items: [
          { SellerSKU: 'GABA-RED', QuantityOrdered: 1, ItemPrice: { CurrencyCode: 'SEK', Amount: '399.00' } },
        ],
      }),
    )
  })
  afterAll(async () => {
    await closeTestContext(ctx)
    await fake.close()
  })

  let cursor: string | null = null

  it('books three pages of paid orders with one token, skipping and counting the rest', async () => {
    const result = await sync(null)
    expect(result).toMatchObject({ fetched: 5, written: 2, skipped: 3, cursor: '2026-01-04T14:00:00.000Z' })
    expect(result.notes).toEqual([
      'orders skipped, status Pending (1): 202-0000003-0000003',
      'orders skipped, UNKNOWN_SKU: No product NOT-OURS (1): 202-0000004-0000004',
      expect.stringMatching(
        /^orders skipped, NO_FX_RATE: No SEK→GBP exchange rate .* \(1\): 202-0000005-0000005$/,
      ),
    ])
    cursor = result.cursor
    expect(fake.issued).toBe(1)
    const lists = fake.requests.filter((r) => r.path === '/orders/v0/orders')
    expect(lists).toHaveLength(3)
    expect(decodeURIComponent(lists[0]!.query)).toBe(
      `MarketplaceIds=${UK},${US}&LastUpdatedAfter=2025-12-06T09:00:00Z`,
    )
    expect(lists[1]!.query).toMatch(/^MarketplaceIds=.+&NextToken=/)
    expect(await booked()).toEqual([
      {
        external_id: '111-0000002-0000002',
        channel_code: 'amazon-usa',
        currency: 'USD',
        status: 'paid',
        subtotal: '128.97',
        tax: '9.35',
        shipping: '0.00',
        total: '138.32',
        total_base: '110.66',
      },
      {
        external_id: '202-0000001-0000001',
        channel_code: 'amazon-uk',
        currency: 'GBP',
        status: 'paid',
        subtotal: '104.97',
        tax: '0.00',
        shipping: '3.99',
        total: '108.96',
        total_base: '108.96',
      },
    ])
    const lines = await ctx.db
      .selectFrom('order_lines')
      .innerJoin('orders', 'orders.id', 'order_lines.order_id')
      .select(['orders.external_id', 'order_lines.sku', 'order_lines.quantity', 'order_lines.unit_price'])
      .orderBy('orders.external_id')
      .orderBy('order_lines.line_no')
      .execute()
    expect(lines).toEqual([
      { external_id: '111-0000002-0000002', sku: 'GABA-BLACK', quantity: 3, unit_price: '42.99' },
      { external_id: '202-0000001-0000001', sku: 'GABA-RED', quantity: 2, unit_price: '29.99' },
      { external_id: '202-0000001-0000001', sku: 'GABA-GOLD', quantity: 1, unit_price: '44.99' },
    ])
  })

  it('books nothing new from the cursor, then applies a cancellation', async () => {
    const again = await sync(cursor)
    expect(again).toMatchObject({ written: 0, cursor: null })
    Object.assign(fake.orders[0]!, { OrderStatus: 'Canceled', LastUpdateDate: '2026-01-05T08:00:00Z' })
    const cancelled = await sync(cursor)
    expect(cancelled).toMatchObject({ fetched: 2, written: 1, cursor: '2026-01-05T08:00:00.000Z' })
    const uk = (await booked()).find((o) => o.external_id === '202-0000001-0000001')
    expect(uk?.status).toBe('cancelled')
    const history = await ctx.db
      .selectFrom('order_status_history as h')
      .innerJoin('orders as o', 'o.id', 'h.order_id')
      .select(['h.from_status', 'h.to_status', 'h.actor_type', 'h.actor_id', 'h.reason'])
      .where('o.external_id', '=', '202-0000001-0000001')
      .execute()
    expect(history).toEqual([
      {
        from_status: 'paid',
        to_status: 'cancelled',
        actor_type: 'system',
        actor_id: 'amazon',
        reason: 'cancelled in Amazon',
      },
    ])
  })

  it('asks for a new token when the old one expires by the clock, and once more when one is refused', async () => {
    const issued = fake.issued
    clock.advance(3600_000)
    await sync('2026-01-05T08:00:00.000Z')
    expect(fake.issued).toBe(issued + 1)
    expect(fake.requests.filter((r) => r.status === 403)).toHaveLength(0)

    fake.revokeTokens()
    const before = fake.requests.length
    const result = await sync('2026-01-05T08:00:00.000Z')
    expect(result.fetched).toBe(1)
    expect(fake.issued).toBe(issued + 2)
    expect(fake.requests.slice(before).map((r) => [r.path, r.status])).toEqual([
      ['/orders/v0/orders', 403],
      ['/auth/o2/token', 200],
      ['/orders/v0/orders', 200],
    ])
  })

  it('gives a 401 for a wrong client secret, without retrying', async () => {
    const before = fake.requests.length
    const error = await sync(null, { ...settings, clientSecret: 'wrong' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectorHttpError)
    expect((error as ConnectorHttpError).status).toBe(401)
    expect(fake.requests.length - before).toBe(1)
  })

  it('is refused by the fake without a token, or with one it did not issue', async () => {
    const fetch = createFetcher({ sleep: async () => {} })
    const url = `${fake.url}/orders/v0/orders?MarketplaceIds=${UK}&LastUpdatedAfter=2026-01-01T00:00:00Z`
    for (const headers of [{}, { 'x-amz-access-token': 'Atza|made-up' }] as Record<string, string>[]) {
      const error = await fetch({ url, headers }).catch((e: unknown) => e)
      expect((error as ConnectorHttpError).status).toBe(403)
    }
  })

  it('asks from no later than two minutes ago, as Amazon requires', async () => {
    const before = fake.requests.length
    await sync(clock.now().toISOString())
    const sent = new URLSearchParams(fake.requests[before]!.query).get('LastUpdatedAfter')
    expect(sent).toBe(new Date(clock.ms() - 120_000).toISOString().replace('.000Z', 'Z'))
    expect(fake.requests[before]!.status).toBe(200)
  })

  it('retries a throttled call', async () => {
    fake.fail(429)
    const before = fake.requests.length
    const result = await sync('2026-01-05T08:00:00.000Z')
    expect(result.fetched).toBe(1)
    expect(fake.requests.slice(before, before + 2).map((r) => r.status)).toEqual([429, 200])
  })
})
