import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { type ShopifyAdminFake, startShopifyAdminFake } from '../../../test/fakes/shopify-admin.ts'
import { syncJobs } from './jobs.ts'
import { configureConnectors, stopConnectors } from './runtime.ts'
import { RUN_LIMIT_MS } from './state.ts'
import { runSync } from './sync.ts'
import type { ConnectorName } from './types.ts'

/**
 * The framework around every connector, with Shopify Admin as the subject: configuration state,
 * retries, the breaker (automatic and forced), the run lease, health, metrics, permissions and
 * the scheduled job. The connector talks to a local fake of Shopify's API.
 */

const clock = new TestClock('2026-01-05T09:00:00Z')
/** The schedule's call: pg-boss hands a scheduled job no data. */
const scheduled = (t: TestApp, name: ConnectorName = 'shopify') =>
  syncJobs.get(name)!.handler(null as never, t.ctx)

async function connectorApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await buildTestApp({ start: false, clock, env })
  // The queue without workers or schedules: /health sees it, jobs run only when a test says so.
  await t.ctx.jobs.start({ work: false, schedule: false }, () => t.ctx)
  return t
}

describe('connectors that are not configured', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await connectorApp()
  })
  afterAll(() => t.close())

  it('are listed with the variables to set, change nothing in /health, and are skipped, not failed', async () => {
    const manager = await as(t.ctx, 'manager')
    const list = await t.app.inject({ url: '/api/connectors', headers: manager })
    expect(list.statusCode).toBe(200)
    const shopify = list.json().items.find((c: { name: string }) => c.name === 'shopify')
    expect(shopify).toMatchObject({
      title: 'Shopify Admin',
      resources: ['orders', 'product prices'],
      schedule: '*/15 * * * *',
      configured: false,
      missing: ['SHOPIFY_ADMIN_URL', 'SHOPIFY_ADMIN_TOKEN'],
      breaker: 'closed',
      forced: false,
      lastRun: null,
      cursor: null,
    })

    const health = await t.app.inject({ url: '/health' })
    expect(health.statusCode).toBe(200)
    expect(health.json().components.connectors).toMatchObject({
      status: 'ok',
      required: false,
      connectors: { shopify: { status: 'not_configured', breaker: 'closed', lastOutcome: null } },
    })

    const sync = await t.app.inject({ method: 'POST', url: '/api/connectors/shopify/sync', headers: manager })
    expect(sync.statusCode).toBe(409)
    expect(sync.json().error).toMatchObject({ code: 'NOT_CONFIGURED' })
    expect(sync.json().error.message).toContain('SHOPIFY_ADMIN_TOKEN')

    await scheduled(t)
    const after = (await t.app.inject({ url: '/api/connectors/shopify', headers: manager })).json()
    expect(after.lastRun).toMatchObject({ trigger: 'schedule', outcome: 'skipped', written: 0 })
    expect(after.lastRun.message).toBe(
      'Shopify Admin is not configured: set SHOPIFY_ADMIN_URL, SHOPIFY_ADMIN_TOKEN',
    )
    clock.advance(1000)
    expect((await t.app.inject({ url: '/health' })).json().components.connectors.status).toBe('ok')
  })

  it('answers 404 for a connector that does not exist', async () => {
    const res = await t.app.inject({ url: '/api/connectors/nope', headers: await as(t.ctx, 'manager') })
    expect(res.statusCode).toBe(404)
    expect(res.json().error.message).toContain('shopify')
  })
})

describe('a configured connector', () => {
  let t: TestApp
  let fake: ShopifyAdminFake
  const waits: number[] = []
  const sleep = async (ms: number) => {
    waits.push(ms)
  }

  beforeAll(async () => {
    fake = await startShopifyAdminFake()
    t = await connectorApp({ SHOPIFY_ADMIN_URL: fake.url, SHOPIFY_ADMIN_TOKEN: fake.token })
    configureConnectors(t.ctx, { sleep })
  })
  afterAll(async () => {
    await t.close()
    await fake.close()
  })

  const status = async () =>
    (await t.app.inject({ url: '/api/connectors/shopify', headers: await as(t.ctx, 'manager') })).json()
  const health = async () => {
    clock.advance(1000) // past the health report's one-second cache
    return t.app.inject({ url: '/health' })
  }
  const requestsSince = (from: number) => fake.requests.slice(from).map((r) => `${r.path} ${r.status}`)

  it('runs on schedule: shop, orders and products, recorded as ok with its counts', async () => {
    const from = fake.requests.length
    await scheduled(t)
    expect(requestsSince(from)).toEqual([
      '/admin/api/2025-07/shop.json 200',
      '/admin/api/2025-07/orders.json 200',
      '/admin/api/2025-07/products.json 200',
    ])
    expect(fake.requests.at(-1)?.token).toBe(fake.token)
    const report = await status()
    expect(report).toMatchObject({ configured: true, missing: [], breaker: 'closed', running: false })
    expect(report.lastRun).toMatchObject({ trigger: 'schedule', outcome: 'ok', message: null, fetched: 0 })
    expect(report.lastSuccessAt).toBe(clock.now().toISOString())
  })

  it('retries a 500 and a 429 (waiting as long as Retry-After asks), then succeeds', async () => {
    waits.length = 0
    const from = fake.requests.length
    fake.failNext({ status: 500 }, { status: 429, retryAfter: '2.0' })
    await scheduled(t)
    expect(requestsSince(from).slice(0, 3)).toEqual([
      '/admin/api/2025-07/shop.json 500',
      '/admin/api/2025-07/shop.json 429',
      '/admin/api/2025-07/shop.json 200',
    ])
    expect(waits).toHaveLength(2)
    expect(waits[0]).toBeGreaterThanOrEqual(400) // 500 ms ± 20%
    expect(waits[0]).toBeLessThanOrEqual(600)
    expect(waits[1]).toBe(2000)
    expect((await status()).lastRun.outcome).toBe('ok')
  })

  it('records a refused token as a failed run with a clear message, without retrying it', async () => {
    waits.length = 0
    const from = fake.requests.length
    const rightToken = fake.token
    fake.token = 'shpat_rotated_elsewhere'
    try {
      await scheduled(t)
    } finally {
      fake.token = rightToken
    }
    expect(requestsSince(from)).toEqual(['/admin/api/2025-07/shop.json 401'])
    expect(waits).toEqual([])
    const report = await status()
    expect(report.lastRun.outcome).toBe('failed')
    expect(report.lastRun.message).toMatch(
      /^Shopify Admin refused the credentials \(401\); check SHOPIFY_ADMIN_URL, SHOPIFY_ADMIN_TOKEN\. GET .*shop\.json answered 401: .*Invalid API key or access token/,
    )
    // A refused credential says nothing about the service's health.
    expect(report.breaker).toBe('closed')
    expect(report.lastSuccessAt).not.toBeNull()
  })

  it('opens the breaker after persistent failures: skipped while open, degraded in /health, exposed in metrics', async () => {
    configureConnectors(t.ctx, { sleep, retry: { attempts: 2 } })
    fake.failAlways({ status: 503 })
    for (let run = 1; run <= 3; run++) {
      await scheduled(t)
      const report = await status()
      expect(report.lastRun.outcome).toBe('failed')
      expect(report.lastRun.message).toContain('answered 503')
      expect(report.breaker, `after run ${run}`).toBe(run < 3 ? 'closed' : 'open')
    }

    const from = fake.requests.length
    await scheduled(t)
    expect(fake.requests.length).toBe(from) // not even tried
    const skipped = await status()
    expect(skipped.lastRun).toMatchObject({ outcome: 'skipped', trigger: 'schedule' })
    expect(skipped.lastRun.message).toMatch(/^the circuit breaker is open since /)
    expect(skipped.breaker).toBe('open')

    const res = await health()
    expect(res.statusCode).toBe(200) // optional: degraded, never down
    expect(res.json().status).toBe('degraded')
    expect(res.json().components.connectors).toMatchObject({
      status: 'degraded',
      required: false,
      message: 'shopify: circuit breaker open',
      connectors: { shopify: { status: 'degraded', breaker: 'open', forced: false, lastOutcome: 'skipped' } },
    })

    const prometheus = (await t.app.inject({ url: '/metrics' })).body
    expect(prometheus).toMatch(
      /connector_breaker_state\{[^}]*connector="shopify"[^}]*forced="false"[^}]*\} 2/,
    )
    expect(prometheus).toMatch(/connector_configured\{[^}]*connector="shopify"[^}]*\} 1/)
    expect(prometheus).toMatch(
      /connector_sync_runs_total\{[^}]*connector="shopify",outcome="failed"[^}]*\} 4/,
    )
    expect(prometheus).toMatch(
      /connector_sync_runs_total\{[^}]*connector="shopify",outcome="skipped"[^}]*\} 1/,
    )
    expect(prometheus).toMatch(/connector_request_retries_total\{[^}]*connector="shopify"[^}]*\} [1-9]/)
    const summary = await t.app.inject({ url: '/api/metrics', headers: await as(t.ctx, 'viewer') })
    expect(summary.json().connectors).toContainEqual(
      expect.objectContaining({ name: 'shopify', configured: true, breaker: 'open', forced: false }),
    )

    // An admin closes it; the service is back, and the next run works.
    fake.failAlways(null)
    const closed = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/breaker',
      headers: await as(t.ctx, 'admin'),
      payload: { state: 'closed' },
    })
    expect(closed.statusCode).toBe(200)
    expect(closed.json()).toMatchObject({ breaker: 'closed', forced: false })
    await scheduled(t)
    expect((await status()).lastRun.outcome).toBe('ok')
    expect((await health()).json().components.connectors.status).toBe('ok')
  })

  it("closes this process's breaker once it is recorded closed later elsewhere (another replica's admin or run)", async () => {
    configureConnectors(t.ctx, { sleep, retry: { attempts: 1 } })
    fake.failAlways({ status: 502 })
    for (let run = 1; run <= 3; run++) await scheduled(t)
    expect((await status()).breaker).toBe('open')
    fake.failAlways(null)
    clock.advance(60_000)
    await t.ctx.db
      .updateTable('connector_state')
      .set({ breaker_state: 'closed', breaker_since: clock.now() })
      .where('name', '=', 'shopify')
      .execute()
    await scheduled(t)
    expect((await status()).lastRun.outcome).toBe('ok')
  })

  it('lets an admin force the breaker open on every replica: syncs are skipped and recorded, until closed', async () => {
    const admin = await as(t.ctx, 'admin')
    const forced = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/breaker',
      headers: admin,
      payload: { state: 'open' },
    })
    expect(forced.statusCode).toBe(200)
    expect(forced.json()).toMatchObject({
      breaker: 'open',
      forced: true,
      forcedAt: clock.now().toISOString(),
    })
    expect(forced.json().forcedBy).toMatch(/^apikey:/)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'connector_breaker')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_type: 'apikey', target_type: 'connector', target_id: 'shopify' })
    expect(audit.old_values).toEqual({ breaker: 'closed', forced: false })
    expect(audit.new_values).toEqual({ breaker: 'open', forced: true })

    const from = fake.requests.length
    await scheduled(t)
    expect(fake.requests.length).toBe(from)
    const report = await status()
    expect(report.lastRun).toMatchObject({ outcome: 'skipped' })
    expect(report.lastRun.message).toMatch(/^the circuit breaker was forced open by apikey:/)
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/sync',
      headers: await as(t.ctx, 'manager'),
    })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('BREAKER_FORCED_OPEN')
    const res = await health()
    expect(res.json().components.connectors).toMatchObject({
      status: 'degraded',
      message: 'shopify: circuit breaker forced open',
    })
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(
      /connector_breaker_state\{[^}]*connector="shopify"[^}]*forced="true"[^}]*\} 2/,
    )

    const closed = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/breaker',
      headers: admin,
      payload: { state: 'closed' },
    })
    expect(closed.json()).toMatchObject({ breaker: 'closed', forced: false })
    await scheduled(t)
    expect((await status()).lastRun.outcome).toBe('ok')
    expect(fake.requests.length).toBeGreaterThan(from)
  })

  it('queues a sync on demand for managers; the worker runs it as a manual run', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/connectors/shopify/sync',
      headers: await as(t.ctx, 'manager'),
      payload: { since: '2026-01-01T00:00:00Z' },
    })
    expect(res.statusCode).toBe(202)
    const { jobId, connector } = res.json()
    expect(connector).toBe('shopify')
    const job = await t.ctx.jobs.boss.getJobById<{ trigger: string; since: string }>(
      'connectors.shopify.sync',
      jobId,
    )
    expect(job?.data).toEqual({ trigger: 'manual', since: '2026-01-01T00:00:00.000Z' })

    const from = fake.requests.length
    await syncJobs.get('shopify')!.handler(job!.data as never, t.ctx)
    const orders = fake.requests.slice(from).find((r) => r.path.endsWith('/orders.json'))
    expect(orders?.query.get('updated_at_min')).toBe('2026-01-01T00:00:00.000Z')
    expect((await status()).lastRun).toMatchObject({ trigger: 'manual', outcome: 'ok' })
  })

  it('runs one sync at a time across processes; a lease left by a dead process is taken over', async () => {
    const connector = (await import('./registry.ts')).findConnector('shopify')!
    await t.ctx.db
      .updateTable('connector_state')
      .set({ running_since: clock.now() })
      .where('name', '=', 'shopify')
      .execute()
    expect((await status()).running).toBe(true)
    const busy = await runSync(t.ctx, connector, 'cli')
    expect(busy).toMatchObject({ outcome: 'skipped', skipReason: 'running' })

    clock.advance(RUN_LIMIT_MS + 1000)
    const taken = await runSync(t.ctx, connector, 'cli')
    expect(taken.outcome).toBe('ok')
    expect((await status()).running).toBe(false)
  })

  it('aborts a run left without an answer when the process stops', async () => {
    configureConnectors(t.ctx, { sleep, retry: { attempts: 2 } })
    fake.failNext({ hang: true })
    const hung = fake.whenHung()
    const run = scheduled(t)
    await hung
    stopConnectors(t.ctx)
    await run
    const report = await status()
    expect(report.lastRun.outcome).toBe('failed')
    expect(report.lastRun.message).toContain('the process is stopping')
    expect(report.running).toBe(false)
  })
})
