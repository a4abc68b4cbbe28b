import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { CHECK_TTL_MS, overallStatus } from './service.ts'

describe('GET /health', () => {
  let t: TestApp
  const clock = new TestClock()

  beforeAll(async () => {
    t = await buildTestApp({ clock })
  })
  afterAll(() => t.close())

  it('reports every component, the version and the environment', async () => {
    const res = await t.app.inject({ url: '/health' })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body).toMatchObject({
      status: 'ok',
      version: t.ctx.config.version,
      commit: t.ctx.config.commit,
      environment: 'development',
      role: 'all',
    })
    expect(body.components.database).toMatchObject({
      status: 'ok',
      required: true,
      engine: t.ctx.database.engine,
    })
    expect(body.components.database.latencyMs).toBeGreaterThanOrEqual(0)
    expect(body.components.cache).toMatchObject({ status: 'ok', kind: 'memory', required: false })
    expect(body.components.jobs).toMatchObject({ status: 'ok', required: true, worker: true })
    expect(body.components.disk.freeBytes).toBeGreaterThan(0)
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
  })

  it('sends the same serialized report within a check period and a new one after it', async () => {
    clock.advance(CHECK_TTL_MS)
    const first = await t.app.inject({ url: '/health' })
    expect((await t.app.inject({ url: '/health' })).body).toBe(first.body)
    clock.advance(CHECK_TTL_MS)
    const next = await t.app.inject({ url: '/health' })
    expect(next.json().checkedAt).not.toBe(first.json().checkedAt)
  })

  it('runs the database check at most once per second however often it is polled', async () => {
    clock.advance(CHECK_TTL_MS)
    await t.app.inject({ url: '/health' })
    const before = countSelectOne(t)
    for (let i = 0; i < 20; i++) await t.app.inject({ url: '/health' })
    expect(countSelectOne(t)).toBe(before)
    clock.advance(CHECK_TTL_MS)
    await t.app.inject({ url: '/health' })
    expect(countSelectOne(t)).toBe(before + 1)
  })

  it('answers /health/live without touching the database', async () => {
    const before = countSelectOne(t)
    const res = await t.app.inject({ url: '/health/live' })
    expect(res.json()).toEqual({ status: 'ok' })
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(countSelectOne(t)).toBe(before)
  })

  it('answers /health/ready with 503 while starting or stopping', async () => {
    expect((await t.app.inject({ url: '/health/ready' })).statusCode).toBe(200)
    t.ctx.lifecycle.state = 'starting'
    const starting = await t.app.inject({ url: '/health/ready' })
    expect(starting.statusCode).toBe(503)
    expect(starting.json()).toEqual({ status: 'starting', message: 'instance is starting' })
    t.ctx.lifecycle.state = 'stopping'
    expect((await t.app.inject({ url: '/health/ready' })).statusCode).toBe(503)
    t.ctx.lifecycle.state = 'ready'
  })
})

describe('GET /health with the database gone', () => {
  it('answers 503 naming the database, and /health/ready fails too', async () => {
    const clock = new TestClock()
    const t = await buildTestApp({ clock, start: false })
    try {
      await t.ctx.database.pool.end()
      clock.advance(CHECK_TTL_MS)
      const res = await t.app.inject({ url: '/health' })
      expect(res.statusCode).toBe(503)
      expect(res.json().status).toBe('down')
      expect(res.json().components.database.status).toBe('down')
      expect(res.json().components.database.message).toMatch(/pool/i)
      expect((await t.app.inject({ url: '/health/ready' })).statusCode).toBe(503)
    } finally {
      await t.close()
    }
  })
})

describe('overallStatus', () => {
  it('is down only when a required component is down, degraded when anything is not ok', () => {
    expect(overallStatus([{ status: 'ok', required: true }])).toBe('ok')
    expect(
      overallStatus([
        { status: 'ok', required: true },
        { status: 'degraded', required: false },
      ]),
    ).toBe('degraded')
    expect(overallStatus([{ status: 'down', required: false }])).toBe('degraded')
    expect(overallStatus([{ status: 'down', required: true }])).toBe('down')
  })
})

function countSelectOne(t: TestApp): number {
  return t.ctx.queryStats.slowest(1000).find((q) => q.fingerprint === 'select ?')?.calls ?? 0
}

describe.skipIf(!process.env.REDIS_URL)('GET /health with Redis (REDIS_URL)', () => {
  it('reports the cache as redis', async () => {
    const t = await buildTestApp({ redis: true, start: false })
    try {
      // the connection may still be opening at first; checks are cached for a second
      let cache: { status: string; kind: string } = { status: 'unknown', kind: '' }
      for (let i = 0; i < 10 && cache.status !== 'ok'; i++) {
        cache = (await t.app.inject({ url: '/health' })).json().components.cache
        if (cache.status !== 'ok') await new Promise((resolve) => setTimeout(resolve, 600))
      }
      expect(cache).toMatchObject({ status: 'ok', kind: 'redis', required: false })
      expect(t.ctx.cache.kind).toBe('redis')
      expect(t.ctx.bus.kind).toBe('redis')
    } finally {
      await t.close()
    }
  })
})
