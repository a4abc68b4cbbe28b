import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { newOrderIds } from './amounts.ts'
import type { BatchOrder } from './batch.ts'
import { OrderWriter } from './group-commit.ts'

describe('order intake with group commit', () => {
  let t: TestApp
  let operator: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx)
    operator = await as(t.ctx, 'operator')
  })
  afterAll(() => t.close())

  const post = (payload: object, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { ...operator, ...(key ? { 'idempotency-key': key } : {}) },
      payload,
    })
  const writes = () =>
    t.ctx.queryStats.slowest(1000).find((s) => s.fingerprint.startsWith('with w0 as ( insert into orders'))
      ?.calls ?? 0
  const order = (i: number): BatchOrder => ({
    externalId: `direct-${i}`,
    channelCode: 'shopify-uk',
    marketCode: 'UK',
    locationCode: 'UK-WH',
    currency: 'GBP',
    status: 'pending',
    placedAt: new Date('2026-03-02T10:00:00Z'),
    fxRate: 1,
    taxRate: 0.2,
    lines: [{ sku: 'GABA-GOLD', quantity: 1, unitPrice: 10, unitCost: 4 }],
  })

  it('writes what arrives while a write is in flight as one statement', async () => {
    const writer = new OrderWriter(t.ctx)
    const before = writes()
    const ids = newOrderIds(10, t.ctx.clock.ms())
    // the first goes at once; the nine that arrive meanwhile go together after it
    await Promise.all(ids.map((id, i) => writer.write({ id, order: order(i), source: 'api' })))
    expect(writes() - before).toBe(2)
    const stored = await t.ctx.db.selectFrom('orders').select('id').where('id', 'in', ids).execute()
    expect(stored).toHaveLength(10)
  })

  it('writes concurrent orders together, and only the order at fault fails', async () => {
    const line = { sku: 'GABA-RED', quantity: 1 }
    expect((await post({ channel: 'shopify-uk', externalId: 'taken-1', lines: [line] })).statusCode).toBe(201)
    const good = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post({ channel: 'shopify-eu', lines: [line] }, `group-${i}-key`)),
    )
    expect(good.map((a) => a.statusCode)).toEqual(Array(30).fill(201))

    // a batch that fails is written order by order: the duplicate fails, the others do not
    const retried = { channel: 'shopify-uk', externalId: 'twice-1', lines: [line] }
    const mixed = await Promise.all([
      post({ channel: 'shopify-eu', lines: [line] }),
      post(retried, 'same-key-1'),
      post(retried, 'same-key-1'),
      post({ channel: 'shopify-uk', externalId: 'taken-1', lines: [line] }),
    ])
    expect(mixed.map((a) => a.statusCode)).toEqual([201, 201, 201, 409])
    expect(mixed[3]!.json().error.code).toBe('DUPLICATE_EXTERNAL_ID')
    // the two requests with one key: one order, the same answer
    expect(mixed[2]!.json()).toEqual(mixed[1]!.json())
    const answers = [...good, ...mixed.slice(0, 2)]

    const { rows } = await sql<{ orders: string; hourly: string; reserved: string }>`
      select (select count(*) from orders) as orders,
        (select sum(orders) from order_totals_hourly) as hourly,
        (select sum(reserved) from stock_levels) as reserved`.execute(t.ctx.db)
    expect(rows[0]).toEqual({ orders: '43', hourly: '43', reserved: '43' })
    for (const answer of answers) {
      const stored = await t.app.inject({ url: `/api/orders/${answer.json().id}`, headers: operator })
      expect(stored.json()).toMatchObject(answer.json())
    }
  })

  it('answers a retry with the first answer even when the order could not be booked again', async () => {
    const body = { channel: 'shopify-uk', lines: [{ sku: 'GABA-BLACK', quantity: 2 }] }
    const first = await post(body, 'before-deactivation')
    expect(first.statusCode).toBe(201)
    await t.ctx.db.updateTable('products').set({ active: false }).where('sku', '=', 'GABA-BLACK').execute()
    try {
      const retry = await post(body, 'before-deactivation')
      expect(retry.statusCode).toBe(201)
      expect(retry.headers['idempotent-replayed']).toBe('true')
      expect(retry.json()).toEqual(first.json())
      expect((await post(body, 'after-deactivation')).json().error.code).toBe('INACTIVE_SKU')
    } finally {
      await t.ctx.db.updateTable('products').set({ active: true }).where('sku', '=', 'GABA-BLACK').execute()
    }
  })
})
