import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { recordMovement } from '../inventory/ledger.ts'

type Headers = Record<string, string>

describe('order status history', () => {
  const clock = new TestClock('2026-03-10T09:00:00Z')
  const origin = 'http://127.0.0.1:3000'
  let t: TestApp
  let operator: Headers
  let manager: Headers
  let viewer: Headers
  let session: Headers
  let operatorKeyId: string
  let userId: string

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock })
    await insertCatalogAndRates(t.ctx)
    await t.ctx.db.transaction().execute((tx) =>
      recordMovement(tx, {
        kind: 'receipt',
        sku: 'GABA-RED',
        locationCode: 'UK-WH',
        quantity: 10,
        occurredAt: new Date('2026-03-01T00:00:00Z'),
        actor: 'test',
      }),
    )
    operator = await as(t.ctx, 'operator')
    manager = await as(t.ctx, 'manager')
    viewer = await as(t.ctx, 'viewer')
    const admin = await as(t.ctx, 'admin')
    operatorKeyId = (
      await t.ctx.db
        .selectFrom('api_keys')
        .select('id')
        .where('name', '=', 'test operator')
        .executeTakeFirstOrThrow()
    ).id
    const password = 'a perfectly long password'
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: admin,
      payload: { email: 'olivia@example.com', name: 'Olivia Okafor', role: 'manager', password },
    })
    expect(created.statusCode, created.body).toBe(201)
    userId = created.json().id
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'olivia@example.com', password },
    })
    const cookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    session = { cookie, origin }
  })
  afterAll(() => t.close())

  const place = async (sku = 'GABA-RED', quantity = 2) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: operator,
      payload: { channel: 'shopify-uk', placedAt: '2026-03-09T18:30:00Z', lines: [{ sku, quantity }] },
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().id as string
  }
  const move = (id: string, payload: object, headers: Headers) =>
    t.app.inject({ method: 'PATCH', url: `/api/orders/${id}`, headers, payload })
  const history = (id: string, headers: Headers = viewer) =>
    t.app.inject({ method: 'GET', url: `/api/orders/${id}/history`, headers })
  const rowCount = async (id: string) =>
    (await t.ctx.db.selectFrom('order_status_history').select('id').where('order_id', '=', id).execute())
      .length

  it('keeps pay, fulfil and refund in order, each with its time, actor and reason; placing writes no row', async () => {
    const id = await place()
    expect(await rowCount(id)).toBe(0)
    clock.advance(60_000)
    expect((await move(id, { status: 'paid' }, operator)).statusCode).toBe(200)
    clock.advance(3_600_000)
    expect((await move(id, { status: 'fulfilled' }, session)).statusCode).toBe(200)
    clock.advance(86_400_000)
    const refunded = await move(id, { status: 'refunded', reason: 'bottle arrived broken' }, manager)
    expect(refunded.statusCode).toBe(200)

    const res = await history(id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({
      orderId: id,
      source: 'api',
      items: [
        {
          kind: 'placed',
          at: '2026-03-09T18:30:00.000Z',
          from: null,
          to: 'pending',
          actor: null,
          reason: null,
        },
        {
          kind: 'status_change',
          at: '2026-03-10T09:01:00.000Z',
          from: 'pending',
          to: 'paid',
          actor: { type: 'apikey', id: operatorKeyId, name: 'test operator' },
          reason: null,
        },
        {
          kind: 'status_change',
          at: '2026-03-10T10:01:00.000Z',
          from: 'paid',
          to: 'fulfilled',
          actor: { type: 'user', id: userId, name: 'Olivia Okafor' },
          reason: null,
        },
        {
          kind: 'status_change',
          at: '2026-03-11T10:01:00.000Z',
          from: 'fulfilled',
          to: 'refunded',
          actor: { type: 'apikey', id: expect.any(String), name: 'test manager' },
          reason: 'bottle arrived broken',
        },
      ],
    })
  })

  it('writes nothing for a refused move, a move to the same status, or a change that fails later on', async () => {
    const id = await place()
    expect((await move(id, { status: 'paid' }, operator)).statusCode).toBe(200)
    const refused = await move(id, { status: 'pending' }, operator)
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('INVALID_TRANSITION')
    expect((await move(id, { status: 'paid' }, operator)).statusCode).toBe(200)
    expect(await rowCount(id)).toBe(1)

    // Shipping more than is on hand fails in the ledger after the status row was written: both roll back.
    const big = await place('GABA-RED', 50)
    expect((await move(big, { status: 'paid' }, operator)).statusCode).toBe(200)
    const short = await move(big, { status: 'fulfilled' }, operator)
    expect(short.statusCode).toBe(409)
    expect(short.json().error.code).toBe('INSUFFICIENT_STOCK')
    const { items } = (await history(big)).json()
    expect(items.map((e: { to: string }) => e.to)).toEqual(['pending', 'paid'])
  })

  it('derives "placed" in the status an order was booked in', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: operator,
      payload: { channel: 'shopify-uk', status: 'paid', lines: [{ sku: 'GABA-BLACK', quantity: 1 }] },
    })
    const id = res.json().id as string
    expect((await history(id)).json().items).toEqual([
      { kind: 'placed', at: clock.now().toISOString(), from: null, to: 'paid', actor: null, reason: null },
    ])
    expect((await move(id, { status: 'cancelled' }, operator)).statusCode).toBe(200)
    const items = (await history(id)).json().items
    expect(items.map((e: { from: string | null; to: string }) => [e.from, e.to])).toEqual([
      [null, 'paid'],
      ['paid', 'cancelled'],
    ])
  })

  it('answers 404 for an unknown order, 401 without credentials, 400 for a bad id or reason', async () => {
    const unknown = await history('no-such-order')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json().error.code).toBe('NOT_FOUND')
    expect((await t.app.inject({ method: 'GET', url: '/api/orders/x/history' })).statusCode).toBe(401)
    expect((await history('bad%20id')).statusCode).toBe(400)
    const id = await place('GABA-GOLD', 1)
    const empty = await move(id, { status: 'paid', reason: '' }, operator)
    expect(empty.statusCode).toBe(400)
    expect(empty.json().error.code).toBe('VALIDATION_FAILED')
    expect(await rowCount(id)).toBe(0)
  })
})
