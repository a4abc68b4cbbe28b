import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../../test/app.ts'
import { insertCatalogAndRates } from '../../../../test/business.ts'
import { TestClock } from '../../../../test/clock.ts'
import { BUSINESS_EVENTS } from '../../orders/events.ts'

const SECRET = 'shopify-test-signing-secret-0123456789'
const URL = '/api/integrations/shopify/webhooks/orders'
const sign = (body: string, secret = SECRET) =>
  createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest('base64')

/** An `orders/create` payload as Shopify sends it, with fields the app does not read. */
function shopifyOrder(id: number, changes: Record<string, unknown> = {}) {
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${id % 10_000}`,
    email: 'zoë@example.com',
    created_at: '2026-01-05T08:58:00+00:00',
    currency: 'GBP',
    presentment_currency: 'GBP',
    financial_status: 'paid',
    cancelled_at: null,
    note: 'Gift wrap, please ☕',
    line_items: [
      { id: 1, title: 'GABA Red', sku: 'GABA-RED', quantity: 2, price: '29.99', total_discount: '0.00' },
      { id: 2, title: 'GABA Gold', sku: 'GABA-GOLD', quantity: 1, price: '39.00', total_discount: '0.00' },
    ],
    total_tax: '16.50',
    total_shipping_price_set: {
      shop_money: { amount: '4.95', currency_code: 'GBP' },
      presentment_money: { amount: '4.95', currency_code: 'GBP' },
    },
    shipping_address: { country_code: 'GB', city: 'Leeds' },
    ...changes,
  }
}

describe('Shopify order webhook', () => {
  let t: TestApp
  const clock = new TestClock('2026-01-05T09:00:00Z')
  const events: { type: string; data: { id: string } }[] = []
  let deliveries = 0
  const nextId = () => `b1f0c7a2-0000-4000-8000-${String(++deliveries).padStart(12, '0')}`

  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      clock,
      env: {
        SHOPIFY_WEBHOOK_SECRET: SECRET,
        SHOPIFY_SHOP_CHANNELS: 'uk.example.myshopify.com=shopify-uk,EU.example.myshopify.com=shopify-eu',
      },
    })
    await insertCatalogAndRates(t.ctx)
    t.ctx.bus.subscribe(BUSINESS_EVENTS, (message) => events.push(message as (typeof events)[number]))
  })
  afterAll(() => t.close())

  const deliver = (body: string, headers: Record<string, string | undefined> = {}) =>
    t.app.inject({
      method: 'POST',
      url: URL,
      payload: body,
      headers: Object.fromEntries(
        Object.entries({
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
          'x-shopify-hmac-sha256': sign(body),
          'x-shopify-shop-domain': 'uk.example.myshopify.com',
          'x-shopify-webhook-id': nextId(),
          'x-shopify-triggered-at': clock.now().toISOString(),
          ...headers,
        }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    })
  const counts = async () => ({
    orders: Number(
      (
        await t.ctx.db
          .selectFrom('orders')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    deliveries: Number(
      (
        await t.ctx.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  })
  const orderOf = (externalId: string) =>
    t.ctx.db
      .selectFrom('orders')
      .selectAll()
      .where('source', '=', 'shopify')
      .where('external_id', '=', externalId)
      .execute()

  it('books a signed delivery once, and answers a repeated delivery id as a duplicate', async () => {
    const body = JSON.stringify(shopifyOrder(5_600_000_000_001), null, 2)
    const headers = { 'x-shopify-webhook-id': 'b1f0c7a2-aaaa-4000-8000-000000000001' }
    const res = await deliver(body, headers)
    expect(res.statusCode, res.body).toBe(200)
    const { orderId } = res.json()
    expect(orderId).toMatch(/^ord_/)

    const [order, ...others] = await orderOf('5600000000001')
    expect(others).toHaveLength(0)
    // 2 × 29.99 + 39.00 = 98.98; + tax 16.50 + shipping 4.95 = 120.43 GBP
    expect(order).toMatchObject({
      id: orderId,
      source: 'shopify',
      channel_code: 'shopify-uk',
      market_code: 'UK',
      status: 'paid',
    })
    expect(Number(order?.subtotal)).toBe(98.98)
    expect(Number(order?.tax)).toBe(16.5)
    expect(Number(order?.shipping)).toBe(4.95)
    expect(Number(order?.total)).toBe(120.43)
    expect(new Date(order!.placed_at).toISOString()).toBe('2026-01-05T08:58:00.000Z')
    const lines = await t.ctx.db
      .selectFrom('order_lines')
      .select(['line_no', 'sku', 'quantity', 'unit_price'])
      .where('order_id', '=', orderId)
      .orderBy('line_no')
      .execute()
    expect(lines.map((l) => [l.sku, l.quantity, Number(l.unit_price)])).toEqual([
      ['GABA-RED', 2, 29.99],
      ['GABA-GOLD', 1, 39],
    ])
    const delivery = await t.ctx.db
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('delivery_id', '=', headers['x-shopify-webhook-id'])
      .executeTakeFirstOrThrow()
    expect(delivery).toMatchObject({ source: 'shopify', topic: 'orders/create' })
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'order.created', data: expect.objectContaining({ id: orderId }) }),
    )

    const before = await counts()
    const again = await deliver(body, headers)
    expect(again.statusCode).toBe(200)
    expect(again.json()).toEqual({ duplicate: true })
    expect(await counts()).toEqual(before)
    expect(await orderOf('5600000000001')).toHaveLength(1)

    // the same order under another delivery id (Shopify does that) is a duplicate too
    const resent = await deliver(body)
    expect(resent.json()).toEqual({ duplicate: true })
    expect(await counts()).toEqual(before)
  })

  it('refuses a missing, wrong or re-serialized signature before reading the body, and writes nothing', async () => {
    const before = await counts()
    const body = JSON.stringify(shopifyOrder(5_600_000_000_002), null, 2)
    const cases: Record<string, string | undefined>[] = [
      { 'x-shopify-hmac-sha256': undefined },
      { 'x-shopify-hmac-sha256': '' },
      { 'x-shopify-hmac-sha256': sign(body, 'another-secret') },
      { 'x-shopify-hmac-sha256': sign(body).slice(0, -2) },
      // the same order, but not the bytes that were signed
      { 'x-shopify-hmac-sha256': sign(JSON.stringify(JSON.parse(body))) },
    ]
    for (const headers of cases) {
      const res = await deliver(body, headers)
      expect(res.statusCode, JSON.stringify(headers)).toBe(401)
      expect(res.json().error.code).toBe('INVALID_SIGNATURE')
    }
    const unsigned = await t.app.inject({
      method: 'POST',
      url: URL,
      headers: { 'x-shopify-hmac-sha256': 'x' },
    })
    expect(unsigned.statusCode).toBe(401)
    expect(await counts()).toEqual(before)
    expect(await orderOf('5600000000002')).toHaveLength(0)
  })

  it('refuses deliveries triggered more than 6 hours ago or ahead (Shopify retries for 4)', async () => {
    const before = await counts()
    const body = JSON.stringify(shopifyOrder(5_600_000_000_003))
    const at = (minutes: number) => new Date(clock.ms() + minutes * 60_000).toISOString()
    for (const triggeredAt of [at(-361), at(361), undefined, 'yesterday']) {
      const res = await deliver(body, { 'x-shopify-triggered-at': triggeredAt })
      expect(res.statusCode, triggeredAt).toBe(401)
      expect(res.json().error.code).toBe('STALE_WEBHOOK')
    }
    expect(await counts()).toEqual(before)
    // inside the window, with Shopify's nanosecond precision
    const fresh = await deliver(body, { 'x-shopify-triggered-at': at(-239).replace('Z', '123456Z') })
    expect(fresh.statusCode, fresh.body).toBe(200)
  })

  it('answers 503 while SHOPIFY_WEBHOOK_SECRET is unset', async () => {
    const bare = await buildTestApp({ start: false })
    try {
      const body = JSON.stringify(shopifyOrder(5_600_000_000_004))
      const res = await bare.app.inject({
        method: 'POST',
        url: URL,
        payload: body,
        headers: { 'content-type': 'application/json', 'x-shopify-hmac-sha256': sign(body) },
      })
      expect(res.statusCode).toBe(503)
      expect(res.json().error.code).toBe('NOT_CONFIGURED')
    } finally {
      await bare.close()
    }
  })

  it('refuses an unknown SKU without recording the delivery, so a retry succeeds once the product exists', async () => {
    const before = await counts()
    const order = shopifyOrder(5_600_000_000_005)
    const body = JSON.stringify({
      ...order,
      line_items: [{ id: 3, title: 'GABA Green', sku: 'GABA-GREEN', quantity: 1, price: '31.00' }],
    })
    const headers = { 'x-shopify-webhook-id': 'b1f0c7a2-bbbb-4000-8000-000000000005' }
    const res = await deliver(body, headers)
    expect(res.statusCode).toBe(422)
    expect(res.json().error.code).toBe('UNKNOWN_SKU')
    expect(await counts()).toEqual(before)

    await t.ctx.db
      .insertInto('products')
      .values({
        sku: 'GABA-GREEN',
        name: 'GABA Green',
        kind: 'finished',
        unit_cost: 6.5,
        lead_time_days: 7,
        moq: 120,
        batch_size: 1200,
        service_level: 0.95,
      })
      .execute()
    const retry = await deliver(body, headers)
    expect(retry.statusCode, retry.body).toBe(200)
    expect(retry.json().orderId).toMatch(/^ord_/)
  })

  it('picks the channel by shop domain, else by currency', async () => {
    const eu = await deliver(JSON.stringify(shopifyOrder(5_600_000_000_006, { currency: 'USD' })), {
      'x-shopify-shop-domain': 'eu.example.myshopify.com',
    })
    expect(eu.statusCode, eu.body).toBe(200)
    const unknownShop = await deliver(JSON.stringify(shopifyOrder(5_600_000_000_007, { currency: 'USD' })), {
      'x-shopify-shop-domain': 'elsewhere.myshopify.com',
    })
    expect(unknownShop.statusCode, unknownShop.body).toBe(200)
    expect((await orderOf('5600000000006'))[0]).toMatchObject({ channel_code: 'shopify-eu', currency: 'USD' })
    expect((await orderOf('5600000000007'))[0]).toMatchObject({
      channel_code: 'shopify-usa',
      market_code: 'USA',
    })

    const nowhere = await deliver(JSON.stringify(shopifyOrder(5_600_000_000_008, { currency: 'JPY' })), {
      'x-shopify-shop-domain': 'elsewhere.myshopify.com',
    })
    expect(nowhere.statusCode).toBe(422)
    expect(nowhere.json().error.code).toBe('UNKNOWN_SHOP')
  })

  it('maps status and exact ids: pending unless paid, GraphQL id digits beyond 2^53', async () => {
    const pending = await deliver(
      JSON.stringify(
        shopifyOrder(5_600_000_000_009, { financial_status: 'pending', total_shipping_price_set: undefined }),
      ),
    )
    expect(pending.statusCode, pending.body).toBe(200)
    expect((await orderOf('5600000000009'))[0]).toMatchObject({ status: 'pending' })
    expect(Number((await orderOf('5600000000009'))[0]?.shipping)).toBe(0)

    // Shopify's sample id does not fit a double; the text in admin_graphql_api_id does
    const body = JSON.stringify(shopifyOrder(1))
      .replace(/"id":1,/, '"id":820982911946154508,')
      .replace('Order/1"', 'Order/820982911946154508"')
    const big = await deliver(body)
    expect(big.statusCode, big.body).toBe(200)
    expect(await orderOf('820982911946154508')).toHaveLength(1)
  })

  it('refuses malformed or invalid payloads with a valid signature, and a missing delivery id', async () => {
    const before = await counts()
    const malformed = await deliver('{"id": 5600000000010, "line_items": [')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().error.code).toBe('MALFORMED_JSON')

    const invalid = await deliver(
      JSON.stringify(
        shopifyOrder(5_600_000_000_010, { line_items: [{ sku: 'GABA-RED', quantity: 0, price: 'free' }] }),
      ),
    )
    expect(invalid.statusCode).toBe(400)
    expect(invalid.json().error.code).toBe('VALIDATION_FAILED')
    expect(invalid.json().error.details[0].path).toMatch(/^\/line_items\/0\//)

    const noId = await deliver(JSON.stringify(shopifyOrder(5_600_000_000_011)), {
      'x-shopify-webhook-id': undefined,
    })
    expect(noId.statusCode).toBe(400)
    expect(noId.json().error.code).toBe('VALIDATION_FAILED')

    const huge = `{"padding":"${'x'.repeat(1024 * 1024)}"}`
    const tooLarge = await deliver(huge)
    expect(tooLarge.statusCode).toBe(413)
    expect(await counts()).toEqual(before)
  })

  it('books an order whose unused text holds a NUL or a lone surrogate (Shopify would only retry it)', async () => {
    // Unlike the JSON API, the webhook does not refuse text PostgreSQL cannot store: it stores
    // only ids, SKUs, amounts and codes, which its schema constrains.
    for (const [id, note] of [
      [5_600_000_000_020, 'nul \u0000 here'],
      [5_600_000_000_021, 'lone \ud800 surrogate'],
    ] as const) {
      const delivered = await deliver(JSON.stringify(shopifyOrder(id, { note, name: note })))
      expect(delivered.statusCode).toBe(200)
      expect(await orderOf(String(id))).toHaveLength(1)
    }
  })
})
