import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliverySettled, wakeDelivery } from '../../server/modules/notifications/delivery.ts'
import { as, buildTestApp, type TestApp } from '../app.ts'
import { TestClock } from '../clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts'

/**
 * Fault: a notification receiver is down for two minutes. Unlike the outbox's own outage test
 * (server/modules/notifications/outbox.test.ts, which calls one delivery pass at a time on direct
 * targets), this goes the way production does: an admin's channel and messages through the HTTP
 * API, the background delivery loop sending, the outbox read back through the API. Time is the
 * test clock, moved in 5-second steps; each step wakes the loop and waits until it has nothing in
 * flight, so a send never outlives its lease by a jump of the clock. The property: every message
 * reaches the receiver exactly once — not once after the receiver deduplicated, but one request
 * per message — and the outbox says sent.
 */

const SECRET = 'fault-receiver-secret-0123456789'
const MESSAGES = 5
const STEP_MS = 5000
const OUTAGE_MS = 2 * 60_000

describe('a notification receiver down for two minutes', () => {
  const clock = new TestClock()
  let t: TestApp
  let receiver: WebhookReceiver
  let admin: { authorization: string }

  beforeAll(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET })
    t = await buildTestApp({
      clock,
      // The default 10 s timeout: a loaded machine must not turn a slow answer into a failure.
      env: { NOTIFY_POLL_MS: '50', NOTIFY_WEBHOOK_SECRET: SECRET },
    })
    admin = await as(t.ctx, 'admin')
  })
  afterAll(async () => {
    await receiver?.close()
    await t?.close()
  })

  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) })
    return { status: response.statusCode, body: response.json() }
  }

  /** Moves the test clock on and lets the delivery loop do everything then due. */
  const step = async (ms = STEP_MS) => {
    await deliverySettled(t.ctx)
    clock.advance(ms)
    wakeDelivery(t.ctx)
    await deliverySettled(t.ctx)
  }

  const outbox = async (ids: string[]) =>
    Promise.all(ids.map(async (id) => (await api('GET', `/api/notifications/messages/${id}`)).body))

  it('delivers every message exactly once when the receiver is back, and the outbox says sent', async () => {
    const channel = await api('POST', '/api/notifications/channels', {
      name: 'ops-hook',
      kind: 'webhook',
      destination: `${receiver.url}/ops`,
      secret: SECRET,
    })
    expect(channel.status).toBe(201)

    // The receiver goes down, then the messages are queued: the loop tries each at once.
    await receiver.down()
    const outageEnds = clock.ms() + OUTAGE_MS
    const ids: string[] = []
    for (let i = 0; i < MESSAGES; i++) {
      const queued = await api('POST', '/api/notifications/channels/ops-hook/test')
      expect(queued.status).toBe(202)
      ids.push(queued.body.id)
    }
    while (clock.ms() < outageEnds) await step()

    const during = await outbox(ids)
    for (const message of during) {
      expect(message.status).toBe('pending')
      // Backoff from 5 s doubling with jitter: at least four attempts fit in two minutes.
      expect(message.attempts).toBeGreaterThanOrEqual(4)
      expect(message.history.every((a: { outcome: string }) => a.outcome === 'failed')).toBe(true)
      expect(message.lastError).toMatch(/connection failed/)
    }
    expect(receiver.requests).toHaveLength(0)
    const keys = during.map((m) => m.idempotencyKey as string)
    expect(new Set(keys).size).toBe(MESSAGES)

    // The receiver is back: the clock goes to each next retry in turn. One may fail again (a
    // kept-alive connection the receiver had just closed, on a loaded machine): one more retry.
    await receiver.up()
    const giveUpAt = clock.ms() + 15 * 60_000
    let after = await outbox(ids)
    while (after.some((m) => m.status !== 'sent') && clock.ms() < giveUpAt) {
      const due = Math.min(...after.filter((m) => m.nextAttemptAt).map((m) => Date.parse(m.nextAttemptAt)))
      await step(Math.max(0, Math.min(due, giveUpAt) - clock.ms()))
      after = await outbox(ids)
    }
    const undelivered = after.filter((m) => m.status !== 'sent')
    expect(
      undelivered.map((m) => ({ status: m.status, attempts: m.attempts, lastError: m.lastError })),
    ).toEqual([])

    // An hour more of passes sends nothing again.
    for (let i = 0; i < 12; i++) {
      clock.advance(5 * 60_000)
      await step()
    }

    // Exactly once: one request per message, each answered 200 with a valid signature.
    const requests = receiver.requests
    expect(requests.map((r) => r.idempotencyKey).sort()).toEqual([...keys].sort())
    expect(requests.every((r) => r.answer === 200 && r.signatureValid === true && r.path === '/ops')).toBe(
      true,
    )
    expect(receiver.duplicates).toBe(0)
    expect([...receiver.processed.keys()].sort()).toEqual([...keys].sort())

    // The outbox agrees: each message sent once, after its failed attempts.
    for (const message of await outbox(ids)) {
      expect(message.status).toBe('sent')
      const outcomes = message.history.map((a: { outcome: string }) => a.outcome)
      expect(outcomes.filter((o: string) => o === 'sent')).toEqual(['sent'])
      expect(outcomes.at(-1)).toBe('sent')
      expect(message.attempts).toBe(outcomes.length)
    }
    const list = await api('GET', '/api/notifications/messages?source=test&limit=50')
    expect(list.body.items.filter((m: { status: string }) => m.status !== 'sent')).toEqual([])
    const channels = await api('GET', '/api/notifications/channels')
    const figures = channels.body.items.find((c: { name: string }) => c.name === 'ops-hook').stats
    expect(figures).toMatchObject({ pending: 0, dead: 0, sent24h: MESSAGES })
  })
})
