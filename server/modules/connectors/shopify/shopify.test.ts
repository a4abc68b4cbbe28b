import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/app.ts'
import { insertCatalogAndRates } from '../../../../test/business.ts'
import { TestClock } from '../../../../test/clock.ts'
import {
  type ShopifyAdminFake,
  shopifyOrder,
  shopifyProduct,
  startShopifyAdminFake,
} from '../../../../test/fakes/shopify-admin.ts'
import { recordMovement } from '../../inventory/ledger.ts'
import { BUSINESS_EVENTS } from '../../orders/events.ts'
import { changeStatus } from '../../orders/service.ts'
import { findConnector } from '../registry.ts'
import { configureConnectors } from '../runtime.ts'
import { runSync, type SyncReport } from '../sync.ts'
import { nextPageUrl } from './client.ts'

/** The Shopify Admin connector against a local fake of the Admin REST API. */

const WEBHOOK_SECRET = 'shopify-test-signing-secret-0123456789'
const API = '/admin/api/2025-07'

describe('Shopify Admin connector', () => {
  const clock = new TestClock('2026-01-05T09:00:00Z')
  let t: TestApp
  let fake: ShopifyAdminFake
  const events: { type: string; data: Record<string, unknown> }[] = []
  const sync = () => runSync(t.ctx, findConnector('shopify')!, 'cli')

  beforeAll(async () => {
    fake = await startShopifyAdminFake({ domain: 'uk.example.myshopify.com', currency: 'GBP' })
    t = await buildTestApp({
      start: false,
      clock,
      env: {
        SHOPIFY_ADMIN_URL: fake.url,
        SHOPIFY_ADMIN_TOKEN: fake.token,
        SHOPIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        SHOPIFY_SHOP_CHANNELS: 'uk.example.myshopify.com=shopify-uk',
      },
    })
    await insertCatalogAndRates(t.ctx)
    configureConnectors(t.ctx, { sleep: async () => {} })
    t.ctx.bus.subscribe(BUSINESS_EVENTS, (message) => events.push(message as (typeof events)[number]))
    fake.pageSize = 2
  })
  afterAll(async () => {
    await t.close()
    await fake.close()
  })

  const orderOf = (externalId: string) =>
    t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('source', '=', 'shopify')
      .where('external_id', '=', externalId)
      .executeTakeFirst()
  const countOrders = async () =>
    Number(
      (
        await t.ctx.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  const ukPrice = async (sku: string) =>
    Number(
      (
        await t.ctx.db
          .selectFrom('product_prices')
          .select('price')
          .where('sku', '=', sku)
          .where('market_code', '=', 'UK')
          .executeTakeFirstOrThrow()
      ).price,
    )
  const requestsSince = (from: number) =>
    fake.requests.slice(from).map((r) => `${r.path.replace(API, '')}?${r.query.toString()}`)

  it('books orders and prices from two pages each, following the Link header', async () => {
    fake.orders.push(
      shopifyOrder(5_700_000_000_001, { updated_at: '2026-01-05T08:10:00+00:00' }),
      shopifyOrder(5_700_000_000_002, {
        updated_at: '2026-01-05T03:30:00-05:00', // 08:30 UTC, the latest
        financial_status: 'pending',
        line_items: [
          { id: 1, sku: 'GABA-RED', quantity: 1, price: '29.99' },
          { id: 2, sku: 'GABA-GOLD', quantity: 1, price: '44.99' },
        ],
      }),
      shopifyOrder(5_700_000_000_003, { updated_at: '2026-01-05T08:20:00+00:00' }),
    )
    fake.products.push(
      shopifyProduct(1, 'GABA Red', [{ sku: 'GABA-RED', price: '31.50' }]),
      shopifyProduct(2, 'GABA Gold', [{ sku: 'GABA-GOLD', price: '44.99' }]),
      shopifyProduct(3, 'Gift card', [{ sku: null, price: '25.00' }]),
      shopifyProduct(4, 'GABA Green', [{ sku: 'GABA-GREEN', price: '30.00' }]),
    )
    const from = fake.requests.length
    const report = await sync()

    expect(report).toMatchObject<Partial<SyncReport>>({
      outcome: 'ok',
      fetched: 3 + 4,
      written: 3 + 1, // three orders, the GABA-RED price
      skipped: 3, // GABA-GOLD's price unchanged, the gift card, GABA-GREEN
      cursor: '2026-01-05T08:30:00Z',
    })
    expect(report.notes).toEqual(['variant GABA-GREEN: no such product in the catalog'])
    const requests = requestsSince(from)
    expect(requests[0]).toBe('/shop.json?')
    expect(requests[1]).toBe('/orders.json?status=any&limit=250')
    expect(requests[2]).toMatch(/^\/orders\.json\?limit=250&page_info=[\w-]+$/)
    expect(requests[3]).toBe('/products.json?limit=250')
    expect(requests[4]).toMatch(/^\/products\.json\?limit=250&page_info=[\w-]+$/)
    expect(requests).toHaveLength(5)

    const paid = await orderOf('5700000000001')
    expect(paid).toMatchObject({
      channel_code: 'shopify-uk',
      market_code: 'UK',
      status: 'paid',
      currency: 'GBP',
    })
    // 2 × 29.99 + tax 12.00 + shipping 4.95
    expect(Number(paid?.total)).toBe(76.93)
    expect(await orderOf('5700000000002')).toMatchObject({ status: 'pending' })
    expect(await orderOf('5700000000003')).toMatchObject({ status: 'paid' })
    expect(events.filter((e) => e.type === 'order.created')).toHaveLength(3)

    expect(await ukPrice('GABA-RED')).toBe(31.5)
    expect(await ukPrice('GABA-GOLD')).toBe(44.99)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'catalog_update')
      .where('target_id', '=', 'GABA-RED')
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_type: 'system', actor_id: 'connector:shopify' })
    expect(audit.old_values).toEqual({ prices: [{ marketCode: 'UK', price: 29.99 }] })
    expect(audit.new_values).toEqual({ prices: [{ marketCode: 'UK', price: 31.5 }] })

    const state = await t.ctx.db
      .selectFrom('connector_state')
      .selectAll()
      .where('name', '=', 'shopify')
      .executeTakeFirstOrThrow()
    expect(state).toMatchObject({
      cursor: '2026-01-05T08:30:00Z',
      last_outcome: 'ok',
      last_trigger: 'cli',
      last_written: 4,
      last_notes: ['variant GABA-GREEN: no such product in the catalog'],
    })
  })

  it('asks only for orders changed since the cursor on the next run and skips those it knows', async () => {
    const before = await countOrders()
    const from = fake.requests.length
    const report = await sync()
    expect(requestsSince(from)[1]).toBe(
      `/orders.json?${new URLSearchParams({ status: 'any', limit: '250', updated_at_min: '2026-01-05T08:30:00Z' })}`,
    )
    // Only the order at the cursor itself is listed again (updated_at_min is inclusive).
    expect(report).toMatchObject({
      outcome: 'ok',
      fetched: 1 + 4,
      written: 0,
      cursor: '2026-01-05T08:30:00Z',
    })
    expect(await countOrders()).toBe(before)
  })

  it('takes payments, cancellations and refunds of known orders through the orders service', async () => {
    const later = (minutes: number) =>
      new Date(Date.parse('2026-01-05T08:40:00Z') + minutes * 60_000).toISOString()
    const [first, second, third] = fake.orders
    Object.assign(first!, { cancelled_at: later(0), updated_at: later(0), financial_status: 'voided' })
    Object.assign(second!, { financial_status: 'paid', updated_at: later(1) })
    Object.assign(third!, { financial_status: 'refunded', updated_at: later(2) })
    const reserved = async (externalId: string) => {
      const order = await orderOf(externalId)
      return t.ctx.db.selectFrom('stock_reservations').selectAll().where('order_id', '=', order!.id).execute()
    }
    expect(await reserved('5700000000001')).not.toHaveLength(0)

    const report = await sync()
    expect(report).toMatchObject({ outcome: 'ok', written: 3, cursor: later(2).replace('.000Z', 'Z') })
    expect(await orderOf('5700000000001')).toMatchObject({ status: 'cancelled' })
    expect(await orderOf('5700000000002')).toMatchObject({ status: 'paid' })
    expect(await orderOf('5700000000003')).toMatchObject({ status: 'refunded' })
    expect(await reserved('5700000000001')).toHaveLength(0)
    expect(events.filter((e) => e.type === 'order.status').map((e) => e.data.to)).toEqual([
      'cancelled',
      'paid',
      'refunded',
    ])
    // each move is in the order's history, made by the connector
    const history = await t.ctx.db
      .selectFrom('order_status_history as h')
      .innerJoin('orders as o', 'o.id', 'h.order_id')
      .select(['o.external_id', 'h.from_status', 'h.to_status', 'h.actor_type', 'h.actor_id', 'h.reason'])
      .where('o.external_id', 'in', ['5700000000001', '5700000000002', '5700000000003'])
      .orderBy('h.id')
      .execute()
    const by = { actor_type: 'system', actor_id: 'connector:shopify' }
    expect(history).toEqual([
      {
        external_id: '5700000000001',
        from_status: 'paid',
        to_status: 'cancelled',
        ...by,
        reason: 'cancelled in Shopify',
      },
      {
        external_id: '5700000000002',
        from_status: 'pending',
        to_status: 'paid',
        ...by,
        reason: 'paid in Shopify',
      },
      {
        external_id: '5700000000003',
        from_status: 'paid',
        to_status: 'refunded',
        ...by,
        reason: 'refunded in Shopify',
      },
    ])
  })

  it('leaves a move the orders service refuses for a person, with a note', async () => {
    const second = await orderOf('5700000000002')
    await t.ctx.db.transaction().execute(async (tx) => {
      for (const sku of ['GABA-RED', 'GABA-GOLD'])
        await recordMovement(tx, {
          kind: 'receipt',
          sku,
          locationCode: 'UK-WH',
          quantity: 10,
          occurredAt: clock.now(),
          actor: 'test',
        })
      await changeStatus(t.ctx, tx, second!.id, 'fulfilled', { type: 'system', id: 'test' })
    })
    Object.assign(fake.orders[1]!, {
      cancelled_at: '2026-01-05T08:50:00Z',
      updated_at: '2026-01-05T08:50:00Z',
    })
    const report = await sync()
    expect(report.outcome).toBe('ok')
    expect(report.written).toBe(0)
    expect(report.notes).toContainEqual(
      'order #1002 (5700000000002): cancelled in Shopify but fulfilled here; left as it is',
    )
    expect(await orderOf('5700000000002')).toMatchObject({ status: 'fulfilled' })
  })

  it('books an order first seen cancelled or refunded with that status', async () => {
    fake.orders.push(
      shopifyOrder(5_700_000_000_004, {
        cancelled_at: '2026-01-05T08:55:00Z',
        financial_status: 'voided',
        updated_at: '2026-01-05T08:55:00Z',
      }),
      shopifyOrder(5_700_000_000_005, { financial_status: 'refunded', updated_at: '2026-01-05T08:56:00Z' }),
    )
    const report = await sync()
    expect(report).toMatchObject({ outcome: 'ok', written: 2 })
    expect(await orderOf('5700000000004')).toMatchObject({ status: 'cancelled' })
    expect(await orderOf('5700000000005')).toMatchObject({ status: 'refunded' })
    // booked as paid and refunded in the same transaction: the refund is in its history
    const refund = await t.ctx.db
      .selectFrom('order_status_history')
      .select(['from_status', 'to_status', 'actor_id'])
      .where('order_id', '=', (await orderOf('5700000000005'))!.id)
      .execute()
    expect(refund).toEqual([{ from_status: 'paid', to_status: 'refunded', actor_id: 'connector:shopify' }])
  })

  it('skips orders it cannot book with a note each, books the rest, and moves on', async () => {
    fake.orders.push(
      shopifyOrder(5_700_000_000_006, {
        updated_at: '2026-01-05T08:57:00Z',
        line_items: [{ id: 1, sku: 'GABA-BLUE', quantity: 1, price: '30.00' }],
      }),
      shopifyOrder(5_700_000_000_007, {
        updated_at: '2026-01-05T08:57:30Z',
        line_items: [{ id: 1, sku: null, title: 'Custom engraving', quantity: 1, price: '5.00' }],
      }),
      shopifyOrder(5_700_000_000_008, { updated_at: '2026-01-05T08:58:00Z' }),
    )
    const report = await sync()
    expect(report.outcome).toBe('ok')
    expect(report.written).toBe(1)
    expect(report.cursor).toBe('2026-01-05T08:58:00Z')
    expect(report.notes).toEqual(
      expect.arrayContaining([
        'order #1006 (5700000000006): UNKNOWN_SKU No product GABA-BLUE',
        expect.stringMatching(/^order #1007 \(5700000000007\): \/line_items\/0\/sku /),
      ]),
    )
    expect(await orderOf('5700000000006')).toBeUndefined()
    expect(await orderOf('5700000000008')).toMatchObject({ status: 'paid' })
  })

  it('books an order once when both the webhook and the connector see it', async () => {
    const order = shopifyOrder(5_700_000_000_009, { updated_at: '2026-01-05T08:59:00Z' })
    const body = JSON.stringify(order)
    const delivered = await t.app.inject({
      method: 'POST',
      url: '/api/integrations/shopify/webhooks/orders',
      payload: body,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/create',
        'x-shopify-hmac-sha256': createHmac('sha256', WEBHOOK_SECRET).update(body).digest('base64'),
        'x-shopify-shop-domain': 'uk.example.myshopify.com',
        'x-shopify-webhook-id': 'b1f0c7a2-cccc-4000-8000-000000000009',
        'x-shopify-triggered-at': clock.now().toISOString(),
      },
    })
    expect(delivered.statusCode, delivered.body).toBe(200)
    const before = await countOrders()
    fake.orders.push(order)
    const report = await sync()
    expect(report).toMatchObject({ outcome: 'ok', written: 0 })
    expect(await countOrders()).toBe(before)
  })

  it('notes that Shopify served another API version than the one asked for', async () => {
    fake.servedVersion = '2024-04'
    try {
      const report = await sync()
      expect(report.outcome).toBe('ok')
      expect(report.notes).toContain(
        'Shopify served API version 2024-04, not 2025-07: set SHOPIFY_API_VERSION to a supported one',
      )
    } finally {
      fake.servedVersion = null
    }
  })

  it('reads the next page from a Link header with both relations, in any order', () => {
    const next = 'https://shop.example/admin/api/2025-07/orders.json?limit=250&page_info=abc,def'
    expect(nextPageUrl(`<https://shop.example/p>; rel="previous", <${next}>; rel="next"`)).toBe(next)
    expect(nextPageUrl(`<${next}>; rel=next`)).toBe(next)
    expect(nextPageUrl('<https://shop.example/p>; rel="previous"')).toBeNull()
    expect(nextPageUrl(null)).toBeNull()
  })
})
