import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { modules } from '../index.ts'
import { FRESHNESS_WINDOW_MS } from '../integrations/shopify/webhook.ts'
import { retentionJob } from './jobs.ts'
import { WEBHOOK_DELIVERY_RETENTION_MS } from './service.ts'

const HOUR = 3_600_000

describe('retention of idempotency keys and webhook deliveries', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-02T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock, env: { IDEMPOTENCY_RETENTION_HOURS: '48' } })
    await insertCatalogAndRates(t.ctx)
  })
  afterAll(() => t.close())

  const runJob = () => retentionJob.handler({}, t.ctx)

  it('is a scheduled job of a registered module', () => {
    const job = modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'housekeeping.retention')
    expect(job?.schedule).toBe('50 * * * *')
    expect(job?.singleton).toBe(true)
  })

  it('keeps an Idempotency-Key for IDEMPOTENCY_RETENTION_HOURS, then forgets it', async () => {
    const operator = await as(t.ctx, 'operator')
    const order = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { ...operator, 'idempotency-key': 'retention-test-1' },
        payload: { channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 1 }] },
      })
    const first = await order()
    expect(first.statusCode).toBe(201)

    clock.advance(47 * HOUR)
    await runJob()
    const retry = await order()
    expect(retry.headers['idempotent-replayed']).toBe('true')
    expect(retry.json().id).toBe(first.json().id)

    clock.advance(2 * HOUR)
    await runJob()
    const keys = await t.ctx.db.selectFrom('idempotency_keys').select('key').execute()
    expect(keys).toEqual([])
    // past the retention a retry is a new request
    const late = await order()
    expect(late.statusCode).toBe(201)
    expect(late.headers['idempotent-replayed']).toBeUndefined()
    expect(late.json().id).not.toBe(first.json().id)
  })

  it('keeps webhook deliveries well past the freshness window, then deletes them', async () => {
    expect(WEBHOOK_DELIVERY_RETENTION_MS).toBeGreaterThan(2 * FRESHNESS_WINDOW_MS)
    const now = clock.ms()
    await t.ctx.db
      .insertInto('webhook_deliveries')
      .values([
        {
          source: 'shopify',
          delivery_id: 'recent',
          topic: 'orders/create',
          received_at: new Date(now - 13 * HOUR),
        },
        {
          source: 'shopify',
          delivery_id: 'week-old',
          topic: 'orders/create',
          received_at: new Date(now - WEBHOOK_DELIVERY_RETENTION_MS - 60_000),
        },
      ])
      .execute()
    await runJob()
    const left = await t.ctx.db.selectFrom('webhook_deliveries').select('delivery_id').execute()
    expect(left.map((row) => row.delivery_id)).toEqual(['recent'])
  })
})
