import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'

describe('metrics endpoints', () => {
  let t: TestApp

  beforeAll(async () => {
    t = await buildTestApp({
      plugins: [
        (app) => {
          app.get('/test/fail', { config: { access: 'public' } }, async () => {
            throw new Error('boom')
          })
        },
      ],
    })
    for (let i = 0; i < 5; i++) await t.app.inject({ url: '/health/live' })
    for (let i = 0; i < 3; i++) await t.app.inject({ url: '/test/fail' })
    await t.app.inject({ url: '/health' })
  })
  afterAll(() => t.close())

  it('serves Prometheus text with HTTP, database, pool and process metrics', async () => {
    const res = await t.app.inject({ url: '/metrics' })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/plain')
    const text = res.body
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/health\/live"[^}]*status="200"[^}]*\} 5/,
    )
    expect(text).toMatch(
      /http_request_duration_seconds_count\{[^}]*route="\/test\/fail"[^}]*status="500"[^}]*\} 3/,
    )
    expect(text).toMatch(/db_query_duration_seconds_count\{[^}]*operation="SELECT"/)
    expect(text).toMatch(/db_pool_connections_max\{[^}]*engine="\w+"[^}]*\} \d+/)
    expect(text).toContain('process_cpu_user_seconds_total')
    expect(text).toContain('nodejs_eventloop_lag_seconds')
  })

  it('summarises request rate, error rate and latency over 1, 5 and 15 minutes', async () => {
    const res = await t.app.inject({ url: '/api/metrics', headers: await as(t.ctx, 'viewer') })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    const window = body.requests['5m']
    // 5 live + 3 failing + 1 health + the /metrics call of the test before
    expect(window.requests).toBeGreaterThanOrEqual(9)
    expect(window.errors).toBe(3)
    expect(window.errorRate).toBeCloseTo(3 / window.requests, 3)
    expect(window.p50Ms).toBeGreaterThan(0)
    expect(window.p99Ms).toBeGreaterThanOrEqual(window.p50Ms)
    expect(body.failingRoutes[0]).toMatchObject({
      route: 'GET /test/fail',
      errors: 3,
      requests: 3,
      errorRate: 1,
    })
    expect(body.slowestRoutes.length).toBeGreaterThan(0)
    expect(body.memory.rssBytes).toBeGreaterThan(0)
    expect(body.disk.totalBytes).toBeGreaterThan(body.disk.freeBytes)
    expect(body.cpu.cores).toBeGreaterThan(0)
    expect(body.replicas).toBe(1)
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0)
  })

  it('reports memory with GC figures', async () => {
    const body = (
      await t.app.inject({ url: '/api/metrics/memory', headers: await as(t.ctx, 'viewer') })
    ).json()
    expect(body.heapUsedBytes).toBeGreaterThan(0)
    expect(body.heapTotalBytes).toBeGreaterThanOrEqual(body.heapUsedBytes)
    expect(body.gc).toHaveProperty('count')
    expect(body.gc).toHaveProperty('byKind')
  })

  it('reports the pool and, on PostgreSQL, server connections by state', async () => {
    const body = (await t.app.inject({ url: '/api/metrics/db', headers: await as(t.ctx, 'viewer') })).json()
    expect(body.engine).toBe(t.ctx.database.engine)
    expect(body.pool.max).toBe(t.ctx.database.engine === 'pglite' ? 1 : 10)
    if (t.ctx.database.engine === 'postgres') {
      expect(body.activity.available).toBe(true)
      expect(body.activity.total).toBeGreaterThan(0)
      expect(body.activity.byState.active).toBeGreaterThanOrEqual(1)
    } else {
      expect(body.activity).toMatchObject({ available: false })
    }
  })

  it('lists the slowest statements from the app timing and from pg_stat_statements or why not', async () => {
    const res = await t.app.inject({
      url: '/api/metrics/slow-queries?limit=3',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.app.length).toBeLessThanOrEqual(3)
    expect(body.app.length).toBeGreaterThan(0)
    const means = body.app.map((q: { meanMs: number }) => q.meanMs)
    expect(means).toEqual([...means].sort((a, b) => b - a))
    if (t.ctx.database.engine === 'pglite') {
      expect(body.pgStatStatements.available).toBe(true)
      expect(body.pgStatStatements.statements.length).toBeGreaterThan(0)
    } else if (!body.pgStatStatements.available) {
      expect(body.pgStatStatements.reason).toMatch(/pg_stat_statements/)
    }
  })

  it('rejects a bad limit with 400', async () => {
    const res = await t.app.inject({
      url: '/api/metrics/slow-queries?limit=0',
      headers: await as(t.ctx, 'viewer'),
    })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('VALIDATION_FAILED')
    expect(
      (await t.app.inject({ url: '/api/metrics/slow-queries?limit=abc', headers: await as(t.ctx, 'viewer') }))
        .statusCode,
    ).toBe(400)
  })
})
