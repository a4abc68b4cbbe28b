import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeTestContext, createTestContext } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.ts'
import type { AppContext } from '../../context.ts'
import type { AppError } from '../../platform/http/errors.ts'
import { deliverySettled } from './delivery.ts'
import { retryDelayMs } from './outbox.ts'
import { channelStats, deliverDue, enqueueNotification, wakeDelivery } from './service.ts'

/**
 * The outbox against real local receivers, with the test clock: retries with growing backoff
 * until delivered exactly once, a long outage, a receiver that never answers, and the loop.
 */

const SECRET = 'test-webhook-secret-0123456789'

const rowOf = (ctx: AppContext, id: string) =>
  ctx.db.selectFrom('notification_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

const attemptsOf = (ctx: AppContext, id: string) =>
  ctx.db.selectFrom('notification_attempts').selectAll().where('message_id', '=', id).orderBy('id').execute()

/** Moves the clock to when the message is due again. */
async function untilDue(ctx: AppContext, clock: TestClock, id: string): Promise<number> {
  const row = await rowOf(ctx, id)
  const wait = new Date(row.next_attempt_at).getTime() - clock.ms()
  clock.advance(Math.max(wait, 0))
  return wait
}

describe('notification outbox', () => {
  const clock = new TestClock()
  let ctx: AppContext
  let receiver: WebhookReceiver
  let other: WebhookReceiver

  beforeAll(async () => {
    ctx = await createTestContext({
      clock,
      env: { NOTIFY_POLL_MS: '0', NOTIFY_WEBHOOK_SECRET: SECRET, NOTIFY_TIMEOUT_MS: '400' },
    })
    receiver = await startWebhookReceiver({ secret: SECRET })
    other = await startWebhookReceiver({ secret: SECRET })
  })
  afterAll(async () => {
    await receiver.close()
    await other.close()
    await closeTestContext(ctx)
  })
  afterEach(() => {
    receiver.always(null)
    other.always(null)
  })

  it('retries a receiver that fails three times with growing backoff, then delivers once', async () => {
    receiver.next({ status: 503 }, { status: 500 }, { status: 429 })
    const before = receiver.requests.length
    const message = {
      target: { webhook: `${receiver.url}/hooks/retry` },
      idempotencyKey: 'retry-test-1',
      title: 'Line 2 stopped',
      text: 'Bottling line 2 has been down for 10 minutes.',
      severity: 'high' as const,
      fields: [{ label: 'Line', value: 'L2' }],
      link: 'https://sentia.example/production',
      source: 'alert:42',
    }
    const { id, created } = await enqueueNotification(ctx, ctx.db, message)
    expect(created).toBe(true)

    const delays: number[] = []
    for (let attempt = 1; attempt <= 3; attempt++) {
      expect(await deliverDue(ctx)).toEqual({ sent: 0, failed: 1, dead: 0 })
      const row = await rowOf(ctx, id)
      expect(row.status).toBe('pending')
      expect(row.attempts).toBe(attempt)
      // Not due before its time: a pass now sends nothing.
      expect(await deliverDue(ctx)).toEqual({ sent: 0, failed: 0, dead: 0 })
      delays.push(await untilDue(ctx, clock, id))
    }
    // Equal jitter around 5 s doubling: [2.5, 5], [5, 10], [10, 20] seconds.
    expect(delays[0]).toBeGreaterThanOrEqual(2500)
    expect(delays[0]).toBeLessThanOrEqual(5000)
    expect(delays[1]).toBeGreaterThanOrEqual(5000)
    expect(delays[1]).toBeLessThanOrEqual(10_000)
    expect(delays[2]).toBeGreaterThanOrEqual(10_000)
    expect(delays[2]).toBeLessThanOrEqual(20_000)

    expect(await deliverDue(ctx)).toEqual({ sent: 1, failed: 0, dead: 0 })
    clock.advance(3_600_000)
    expect(await deliverDue(ctx)).toEqual({ sent: 0, failed: 0, dead: 0 })

    const seen = receiver.requests.slice(before)
    expect(seen.map((r) => r.answer)).toEqual([503, 500, 429, 200])
    expect(new Set(seen.map((r) => r.idempotencyKey))).toEqual(new Set(['retry-test-1']))
    expect(new Set(seen.map((r) => r.body)).size).toBe(1)
    expect(seen.every((r) => r.signatureValid === true)).toBe(true)
    expect(seen[0]!.path).toBe('/hooks/retry')
    expect(receiver.processed.get('retry-test-1')).toMatchObject({
      id,
      idempotency_key: 'retry-test-1',
      title: 'Line 2 stopped',
      severity: 'high',
      fields: [{ label: 'Line', value: 'L2' }],
      link: 'https://sentia.example/production',
      source: 'alert:42',
    })
    expect(receiver.duplicates).toBe(0)

    const row = await rowOf(ctx, id)
    expect(row.status).toBe('sent')
    expect(row.attempts).toBe(4)
    const attempts = await attemptsOf(ctx, id)
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'sent'],
    ])
    expect(attempts[0]!.error).toContain('HTTP 503')
    expect(attempts[2]!.error).toContain('HTTP 429')

    // The same key again stores nothing and answers the first id.
    expect(await enqueueNotification(ctx, ctx.db, { ...message, title: 'again' })).toEqual({
      id,
      created: false,
    })
    expect(await deliverDue(ctx)).toEqual({ sent: 0, failed: 0, dead: 0 })
  })

  it('keeps every message through a 10-minute outage and delivers each exactly once when the receiver is back', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `outage-${i}`)
    const ids: string[] = []
    for (const key of keys)
      ids.push(
        (
          await enqueueNotification(ctx, ctx.db, {
            target: { webhook: `${receiver.url}/outage` },
            idempotencyKey: key,
            title: key,
            text: 'down',
          })
        ).id,
      )
    await receiver.down()
    const outageEnds = clock.ms() + 10 * 60_000
    let failed = 0
    while (clock.ms() < outageEnds) {
      failed += (await deliverDue(ctx)).failed
      clock.advance(5000)
    }
    expect(failed).toBeGreaterThan(keys.length)
    for (const id of ids) expect((await rowOf(ctx, id)).status).toBe('pending')
    expect((await rowOf(ctx, ids[0]!)).last_error).toMatch(/connection failed/)

    await receiver.up()
    for (let step = 0; step < 80; step++) {
      await deliverDue(ctx)
      clock.advance(5000)
    }
    for (const id of ids) expect((await rowOf(ctx, id)).status).toBe('sent')
    for (const key of keys) expect(receiver.processed.has(key)).toBe(true)
    expect(receiver.duplicates).toBe(0)
    expect(receiver.requests.filter((r) => keys.includes(r.idempotencyKey ?? ''))).toHaveLength(keys.length)
  })

  it('times out a receiver that never answers, retries it, and delivers to another receiver in the same pass', async () => {
    receiver.always({ hang: true })
    const hung = await enqueueNotification(ctx, ctx.db, {
      target: { webhook: `${receiver.url}/slow` },
      idempotencyKey: 'hang-1',
      title: 'to a hung receiver',
      text: '…',
    })
    const fine = await enqueueNotification(ctx, ctx.db, {
      target: { webhook: `${other.url}/fine` },
      idempotencyKey: 'hang-2',
      title: 'to a working receiver',
      text: '…',
    })
    const before = other.requests.length
    expect(await deliverDue(ctx)).toEqual({ sent: 1, failed: 1, dead: 0 })
    expect(other.requests.length).toBe(before + 1)
    expect(other.processed.has('hang-2')).toBe(true)
    expect((await rowOf(ctx, fine.id)).status).toBe('sent')
    const row = await rowOf(ctx, hung.id)
    expect(row.status).toBe('pending')
    expect(row.last_error).toBe('no answer within 400 ms')

    receiver.always(null)
    await untilDue(ctx, clock, hung.id)
    expect(await deliverDue(ctx)).toEqual({ sent: 1, failed: 0, dead: 0 })
    expect(receiver.requests.filter((r) => r.idempotencyKey === 'hang-1').map((r) => r.answer)).toEqual([
      'hung',
      200,
    ])
    // The receiver had the first copy already: the second is recognised by its key.
    expect(receiver.duplicates).toBe(1)
  })

  it('refuses an unknown channel with a typed error and stores nothing', async () => {
    const error = (await enqueueNotification(ctx, ctx.db, {
      target: { channel: 'nowhere' },
      idempotencyKey: 'unknown-channel',
      title: 't',
      text: 't',
    }).catch((e: unknown) => e)) as AppError
    expect(error.code).toBe('UNKNOWN_CHANNEL')
    expect(error.statusCode).toBe(422)
    const bad = (await enqueueNotification(ctx, ctx.db, {
      target: { webhook: 'ftp://example.com/x' },
      idempotencyKey: 'bad target',
      title: '',
      text: 't',
    }).catch((e: unknown) => e)) as AppError
    expect(bad.code).toBe('VALIDATION_FAILED')
    const stored = await ctx.db
      .selectFrom('notification_outbox')
      .select('id')
      .where('idempotency_key', 'in', ['unknown-channel', 'bad target'])
      .execute()
    expect(stored).toEqual([])
  })

  it('commits a message only with the transaction that enqueued it', async () => {
    await ctx.db
      .transaction()
      .execute(async (tx) => {
        await enqueueNotification(ctx, tx, {
          target: { webhook: `${receiver.url}/tx` },
          idempotencyKey: 'rolled-back',
          title: 't',
          text: 't',
        })
        throw new Error('the change that caused it failed')
      })
      .catch(() => {})
    const stored = await ctx.db
      .selectFrom('notification_outbox')
      .select('id')
      .where('idempotency_key', '=', 'rolled-back')
      .execute()
    expect(stored).toEqual([])
  })

  it('reports per-channel figures for direct targets', async () => {
    const stats = await channelStats(ctx)
    const direct = stats.find((s) => s.channel === 'direct:webhook')!
    expect(direct.kind).toBe('webhook')
    expect(direct.sent24h).toBeGreaterThanOrEqual(8)
    expect(direct.failed24h).toBeGreaterThan(5)
    expect(direct.successRate).toBeCloseTo(direct.sent24h / (direct.sent24h + direct.failed24h))
    expect(direct.lastError).toBe('no answer within 400 ms')
    expect(direct.pending).toBe(0)
    expect(direct.lastSentAt).toBe(clock.now().toISOString())
  })
})

describe('retry delay', () => {
  const settings = { retryBaseSeconds: 5, retryMaxSeconds: 300 }

  it('doubles from the base with equal jitter and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => retryDelayMs(n, settings, () => 1))).toEqual([
      5000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ])
    expect([1, 2, 8].map((n) => retryDelayMs(n, settings, () => 0))).toEqual([2500, 5000, 150_000])
  })

  it('spends the default 20 attempts over more than half an hour whatever the jitter', () => {
    let least = 0
    for (let attempt = 1; attempt < 20; attempt++) least += retryDelayMs(attempt, settings, () => 0)
    expect(least).toBeGreaterThan(30 * 60_000)
  })
})

describe('delivery loop', () => {
  let ctx: AppContext
  let slow: WebhookReceiver
  let fast: WebhookReceiver

  beforeAll(async () => {
    slow = await startWebhookReceiver({ secret: SECRET })
    fast = await startWebhookReceiver({ secret: SECRET })
    ctx = await createTestContext({
      clock: new TestClock(),
      env: { NOTIFY_WEBHOOK_SECRET: SECRET, NOTIFY_TIMEOUT_MS: '3000' },
    })
  })
  afterAll(async () => {
    await slow.close()
    await fast.close()
    await closeTestContext(ctx)
  })

  it('sends when woken, and a receiver that never answers holds up nothing else', async () => {
    slow.always({ hang: true })
    const hungRequest = slow.nextRequest()
    const hung = await enqueueNotification(ctx, ctx.db, {
      target: { webhook: slow.url },
      idempotencyKey: 'loop-hung',
      title: 'hangs',
      text: '…',
    })
    wakeDelivery(ctx)
    await hungRequest

    const delivered = fast.nextRequest()
    const quick = await enqueueNotification(ctx, ctx.db, {
      target: { webhook: fast.url },
      idempotencyKey: 'loop-fast',
      title: 'goes through',
      text: '…',
    })
    wakeDelivery(ctx)
    expect((await delivered).idempotencyKey).toBe('loop-fast')
    // The first send is still waiting for its answer while the second went out.
    expect((await rowOf(ctx, hung.id)).status).toBe('sending')

    await deliverySettled(ctx)
    expect((await rowOf(ctx, quick.id)).status).toBe('sent')
    const row = await rowOf(ctx, hung.id)
    expect(row.status).toBe('pending')
    expect(row.last_error).toBe('no answer within 3000 ms')
  })
})
