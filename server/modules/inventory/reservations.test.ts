import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'

describe('GET /api/inventory/reservations', () => {
  let t: TestApp
  let operator: { authorization: string }
  let viewer: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx)
    operator = await as(t.ctx, 'operator')
    viewer = await as(t.ctx, 'viewer')
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/api/stock-movements',
      headers: operator,
      payload: { kind: 'receipt', sku: 'GABA-RED', location: 'UK-WH', quantity: 40 },
    })
    expect(receipt.statusCode).toBe(201)
  })
  afterAll(() => t.close())

  const read = (query: string) =>
    t.app.inject({ url: `/api/inventory/reservations?${query}`, headers: viewer })
  const order = async (quantity: number) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: operator,
      payload: { channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity }] },
    })
    expect(res.statusCode).toBe(201)
    return res.json().id as string
  }

  it('shows the level with the orders’ reservations behind it, and one order’s share', async () => {
    expect((await read('sku=GABA-RED&location=UK-WH')).json()).toEqual({
      sku: 'GABA-RED',
      location: 'UK-WH',
      onHand: 40,
      reserved: 0,
      available: 40,
      held: { orders: 0, quantity: 0 },
    })
    const first = await order(3)
    const second = await order(5)
    const res = await read(`sku=GABA-RED&location=UK-WH&order=${first}`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      sku: 'GABA-RED',
      location: 'UK-WH',
      onHand: 40,
      reserved: 8,
      available: 32,
      held: { orders: 2, quantity: 8 },
      order: { id: first, quantity: 3 },
    })

    const cancelled = await t.app.inject({
      method: 'PATCH',
      url: `/api/orders/${first}`,
      headers: operator,
      payload: { status: 'cancelled' },
    })
    expect(cancelled.statusCode).toBe(200)
    expect((await read(`sku=GABA-RED&location=UK-WH&order=${first}`)).json()).toMatchObject({
      reserved: 5,
      available: 35,
      held: { orders: 1, quantity: 5 },
      order: { id: first, quantity: 0 },
    })
    expect((await read(`sku=GABA-RED&location=UK-WH&order=${second}`)).json().order).toEqual({
      id: second,
      quantity: 5,
    })
  })

  it('answers 404 for a pair without a stock level and 400 for a bad query', async () => {
    const missing = await read('sku=GABA-RED&location=NOWHERE')
    expect(missing.statusCode).toBe(404)
    expect(missing.json().error).toEqual({
      code: 'NOT_FOUND',
      message: 'No stock level for GABA-RED at NOWHERE',
    })
    const bad = await read('sku=GABA-RED')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.code).toBeDefined()
    expect((await read('sku=GABA-RED&location=UK-WH&order=no%20spaces')).statusCode).toBe(400)
  })

  it('refuses a request without credentials', async () => {
    const res = await t.app.inject({ url: '/api/inventory/reservations?sku=GABA-RED&location=UK-WH' })
    expect(res.statusCode).toBe(401)
  })
})
