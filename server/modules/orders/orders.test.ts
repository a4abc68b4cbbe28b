import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'

describe('orders', () => {
  let t: TestApp
  let operator: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx)
    operator = await as(t.ctx, 'operator')
  })
  afterAll(() => t.close())

  const post = (payload: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/orders', headers: { ...operator, ...headers }, payload })
  const level = async (sku: string, location = 'UK-WH') =>
    (await t.ctx.db
      .selectFrom('stock_levels')
      .select(['on_hand', 'reserved'])
      .where('sku', '=', sku)
      .where('location_code', '=', location)
      .executeTakeFirst()) ?? { on_hand: 0, reserved: 0 }

  it('books an order at market prices and tax, converts it at the day’s rate, and reserves stock', async () => {
    const res = await post({
      channel: 'shopify-eu',
      placedAt: '2026-03-02T10:15:00Z',
      lines: [
        { sku: 'GABA-RED', quantity: 2 },
        { sku: 'GABA-GOLD', quantity: 1, unitPrice: 45 },
      ],
      shipping: 5,
    })
    expect(res.statusCode).toBe(201)
    const order = res.json()
    // 2 × 34.99 + 45 = 114.98; tax 21% = 24.15 (rounded); total 144.13 EUR; × 0.85 = 122.51 GBP
    expect(order).toMatchObject({
      channel: 'shopify-eu',
      market: 'EU',
      location: 'EU-3PL',
      currency: 'EUR',
      status: 'pending',
      subtotal: 114.98,
      tax: 24.15,
      shipping: 5,
      total: 144.13,
      fxRate: 0.85,
      totalBase: 122.51,
    })
    expect(order.lines).toHaveLength(2)
    expect(await level('GABA-RED', 'EU-3PL')).toEqual({ on_hand: 0, reserved: 2 })
    // The answer is built before the write: it must be what is stored, to the cent.
    const stored = await t.app.inject({ method: 'GET', url: `/api/orders/${order.id}`, headers: operator })
    expect(stored.json()).toMatchObject(order)
  })

  it('stores money in cents as it answers: a price or tax given to a fraction of a cent is rounded first', async () => {
    const res = await post({
      channel: 'shopify-eu',
      lines: [{ sku: 'GABA-GOLD', quantity: 3, unitPrice: 12.345 }],
      tax: 1.006,
      shipping: 2.494,
    })
    expect(res.statusCode).toBe(201)
    const order = res.json()
    // 3 × 12.35 (the unit price as stored) = 37.05, + tax 1.01 + shipping 2.49 = 40.55
    expect(order).toMatchObject({ subtotal: 37.05, tax: 1.01, shipping: 2.49, total: 40.55 })
    expect(order.lines[0].unitPrice).toBe(12.35)
    const stored = await t.app.inject({ method: 'GET', url: `/api/orders/${order.id}`, headers: operator })
    expect(stored.json()).toMatchObject(order)
  })

  it('makes retries with an Idempotency-Key safe, and refuses the key for another request', async () => {
    const body = { channel: 'shopify-uk', externalId: 'retry-1', lines: [{ sku: 'GABA-BLACK', quantity: 1 }] }
    const key = { 'idempotency-key': 'order-retry-0001' }
    const first = await post(body, key)
    const second = await post(body, key)
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    const count = await t.ctx.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('external_id', '=', 'retry-1')
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
    const other = await post({ ...body, externalId: 'retry-2' }, key)
    expect(other.statusCode).toBe(422)
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED')
    // without a key, the same external id is a duplicate
    const duplicate = await post(body)
    expect(duplicate.statusCode).toBe(409)
    expect(duplicate.json().error.code).toBe('DUPLICATE_EXTERNAL_ID')
  })

  it('refuses bad orders with a clear code and writes nothing', async () => {
    const before = await t.ctx.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const cases: [object, number, string][] = [
      [{ channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 0 }] }, 400, 'VALIDATION_FAILED'],
      [{ channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: -3 }] }, 400, 'VALIDATION_FAILED'],
      [{ channel: 'shopify-uk', lines: [] }, 400, 'VALIDATION_FAILED'],
      [{ channel: 'shopify-uk', lines: [{ sku: 'NOPE', quantity: 1 }] }, 422, 'UNKNOWN_SKU'],
      [{ channel: 'nowhere', lines: [{ sku: 'GABA-RED', quantity: 1 }] }, 422, 'UNKNOWN_CHANNEL'],
      [
        { channel: 'shopify-uk', currency: 'JPY', lines: [{ sku: 'GABA-RED', quantity: 1 }] },
        422,
        'NO_FX_RATE',
      ],
      [
        {
          channel: 'shopify-usa',
          placedAt: '2025-06-01T00:00:00Z',
          lines: [{ sku: 'GABA-RED', quantity: 1 }],
        },
        422,
        'NO_FX_RATE',
      ],
      [
        {
          channel: 'shopify-uk',
          placedAt: '2026-02-30T10:00:00Z',
          lines: [{ sku: 'GABA-RED', quantity: 1 }],
        },
        400,
        'VALIDATION_FAILED',
      ],
      [
        {
          channel: 'shopify-uk',
          placedAt: '2099-01-01T00:00:00Z',
          lines: [{ sku: 'GABA-RED', quantity: 1 }],
        },
        422,
        'INVALID_DATE',
      ],
      [{ channel: 'shopify-uk', lines: [{ sku: 'BOTTLE-500', quantity: 1 }] }, 422, 'NO_PRICE'],
    ]
    for (const [payload, status, code] of cases) {
      const res = await post(payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code)
    }
    const after = await t.ctx.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
    expect((await post({ lines: [] }, { authorization: 'Bearer nope' })).statusCode).toBe(401)
    const viewer = await as(t.ctx, 'viewer')
    expect(
      (await post({ channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 1 }] }, viewer)).statusCode,
    ).toBe(403)
  })

  it('fulfils from stock, and cancel or refund releases the reservation and leaves the rollups', async () => {
    await t.ctx.db.transaction().execute(async (tx) => {
      const { recordMovement } = await import('../inventory/ledger.ts')
      await recordMovement(tx, {
        kind: 'receipt',
        sku: 'GABA-RED',
        locationCode: 'UK-WH',
        quantity: 10,
        occurredAt: new Date(),
        actor: 'test',
      })
    })
    const order = (await post({ channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 3 }] })).json()
    expect(await level('GABA-RED')).toEqual({ on_hand: 10, reserved: 3 })
    const patch = (id: string, status: string) =>
      t.app.inject({ method: 'PATCH', url: `/api/orders/${id}`, headers: operator, payload: { status } })
    expect((await patch(order.id, 'fulfilled')).json().error.code).toBe('INVALID_TRANSITION')
    expect((await patch(order.id, 'paid')).statusCode).toBe(200)
    expect((await patch(order.id, 'fulfilled')).json().status).toBe('fulfilled')
    expect(await level('GABA-RED')).toEqual({ on_hand: 7, reserved: 0 })
    const sale = await t.ctx.db
      .selectFrom('stock_movements')
      .selectAll()
      .where('reference_id', '=', order.id)
      .executeTakeFirstOrThrow()
    expect(sale).toMatchObject({ kind: 'sale', quantity: -3, location_code: 'UK-WH' })

    const cancelled = (
      await post({ channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 4 }] })
    ).json()
    expect((await level('GABA-RED')).reserved).toBe(4)
    expect((await patch(cancelled.id, 'cancelled')).json().status).toBe('cancelled')
    expect(await level('GABA-RED')).toEqual({ on_hand: 7, reserved: 0 })
    expect((await patch(cancelled.id, 'paid')).statusCode).toBe(409)

    // the ledger is append-only
    await expect(sql`update stock_movements set quantity = 1`.execute(t.ctx.db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`delete from stock_movements`.execute(t.ctx.db)).rejects.toThrow(/append-only/)
  })

  it('lists orders newest first with filters and a cursor', async () => {
    const all: string[] = []
    let cursor: string | null = null
    do {
      const res = await t.app.inject({
        url: `/api/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: operator,
      })
      expect(res.statusCode).toBe(200)
      const page = res.json() as { items: { id: string; placedAt: string }[]; nextCursor: string | null }
      all.push(...page.items.map((o) => o.placedAt))
      cursor = page.nextCursor
    } while (cursor)
    expect(all.length).toBeGreaterThanOrEqual(4)
    expect([...all].sort().reverse()).toEqual(all)
    const pending = await t.app.inject({
      url: '/api/orders?status=pending&channel=shopify-eu',
      headers: operator,
    })
    expect(pending.json().items.every((o: { status: string }) => o.status === 'pending')).toBe(true)
    expect(pending.json().items.length).toBeGreaterThanOrEqual(1)
    expect((await t.app.inject({ url: '/api/orders?cursor=garbage', headers: operator })).statusCode).toBe(
      400,
    )
  })
})
