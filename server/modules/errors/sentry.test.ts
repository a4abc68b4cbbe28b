import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { type FakeServer, startFake } from '../../../test/fakes/http.ts'

interface SentryEvent {
  exception: { values: { type: string; value: string; stacktrace?: { frames: { function?: string }[] } }[] }
  release: string
  environment: string
  tags: Record<string, string>
  user?: { id: string }
}

/** The events in the envelopes Sentry's SDK posted (an envelope: a header line, then item header and payload lines). */
function eventsIn(fake: FakeServer): SentryEvent[] {
  return fake.requests.flatMap((request) => {
    const lines = request.body.split('\n').filter(Boolean)
    const events: SentryEvent[] = []
    for (let i = 1; i + 1 < lines.length; i += 2)
      if (JSON.parse(lines[i]!).type === 'event') events.push(JSON.parse(lines[i + 1]!))
    return events
  })
}

function placeOrder(): never {
  throw new TypeError('order 7 has no lines')
}

describe('forwarding to Sentry', () => {
  let t: TestApp
  let sentry: FakeServer
  beforeAll(async () => {
    sentry = await startFake(() => ({ status: 200, body: {} }))
    const port = new URL(sentry.url).port
    t = await buildTestApp({
      start: false,
      env: { SENTRY_DSN: `http://public@127.0.0.1:${port}/1`, APP_VERSION: '3.4.5', APP_ENV: 'staging' },
      plugins: [
        (app) => {
          app.post('/test/orders', { config: { access: 'public' } }, async () => placeOrder())
        },
      ],
    })
  })
  afterAll(async () => {
    await t.close()
    await sentry.close()
  })

  it('sends an unknown server error with its release, environment and request tags, and nothing of the request', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/orders?coupon=query-value',
      headers: { authorization: 'Bearer not-a-real-key-value', cookie: 'session=cookie-value' },
      payload: { note: 'body-value' },
    })
    expect(res.statusCode).toBe(500)
    await t.ctx.errorSink.idle()

    expect(sentry.requests).toHaveLength(1)
    const [request] = sentry.requests
    expect(request).toMatchObject({ method: 'POST', path: '/api/1/envelope/' })
    expect(request!.query).toContain('sentry_key=public')
    for (const value of ['query-value', 'not-a-real-key-value', 'cookie-value', 'body-value'])
      expect(request!.body).not.toContain(value)

    const [event] = eventsIn(sentry)
    expect(event!.exception.values[0]).toMatchObject({ type: 'TypeError', value: 'order 7 has no lines' })
    expect(event!.exception.values[0]!.stacktrace!.frames.map((f) => f.function)).toContain('placeOrder')
    expect(event).toMatchObject({ release: '3.4.5', environment: 'staging' })
    expect(event!.tags).toMatchObject({
      source: 'server',
      request_id: res.json().error.requestId,
      route: 'POST /test/orders',
    })
    // and it is recorded in the app as well
    const group = await t.ctx.db.selectFrom('error_groups').selectAll().executeTakeFirstOrThrow()
    expect(event!.tags.error_group).toBe(group.fingerprint)
  })

  it('sends a web report tagged with its source', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/errors/report',
      headers: await as(t.ctx, 'viewer'),
      payload: {
        type: 'ChunkLoadError',
        message: 'Loading chunk 12 failed',
        url: 'https://x.example/orders/3',
      },
    })
    expect(res.statusCode).toBe(202)
    const events = eventsIn(sentry)
    expect(events).toHaveLength(2)
    expect(events[1]!.exception.values[0]).toMatchObject({
      type: 'ChunkLoadError',
      value: 'Loading chunk 12 failed',
    })
    expect(events[1]!.tags).toMatchObject({ source: 'web', route: '/orders/3' })
  })
})
