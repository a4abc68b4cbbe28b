import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { silentLogger } from '../../../test/template.ts'
import { crashHandler } from '../../cli/serve.ts'
import type { AppContext } from '../../context.ts'
import { unavailable } from '../../platform/http/errors.ts'
import { defineJob, Jobs } from '../../platform/jobs/jobs.ts'
import { modules } from '../index.ts'
import { errorsRetentionJob } from './jobs.ts'
import { type ErrorGroupView, releaseOf } from './service.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const SESSION_SECRET = 'a-session-secret-that-must-never-be-stored-0123'

function lookUpOrder(id: string): never {
  throw new TypeError(`cannot read order ${id}`)
}

function lookUpStock(id: string): never {
  throw new TypeError(`cannot read stock ${id}`)
}

function probes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx
  app.get<{ Params: { id: string } }>('/test/orders/:id', { config: { access: 'public' } }, async (request) =>
    lookUpOrder(request.params.id),
  )
  app.get<{ Params: { id: string } }>('/test/stock/:id', { config: { access: 'public' } }, async (request) =>
    lookUpStock(request.params.id),
  )
  app.post('/test/secret', { config: { access: 'public' } }, async () => {
    throw new Error(`upstream refused ${SESSION_SECRET}`)
  })
  app.get('/test/divide', { config: { access: 'public' } }, async () => {
    await sql`select 1 / 0`.execute(db)
  })
  app.get('/test/unavailable', { config: { access: 'public' } }, async () => {
    throw unavailable('the warehouse service is down')
  })
}

describe('the error tracker on the server', () => {
  let t: TestApp
  const clock = new TestClock('2026-03-02T12:00:00Z')
  let operator: { authorization: string }
  beforeAll(async () => {
    t = await buildTestApp({
      clock,
      start: false,
      env: { SESSION_SECRETS: SESSION_SECRET },
      plugins: [probes],
    })
    operator = await as(t.ctx, 'operator')
  })
  afterAll(() => t.close())

  const groups = async () => {
    await t.ctx.errorSink.idle()
    return t.ctx.db.selectFrom('error_groups').selectAll().orderBy('id').execute()
  }
  const list = async (query = '') => {
    const res = await t.app.inject({ url: `/api/errors${query}`, headers: operator })
    expect(res.statusCode).toBe(200)
    return res.json() as { items: ErrorGroupView[]; nextCursor: string | null }
  }

  it('is a registered module with a daily retention job', () => {
    const job = modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'errors.retention')
    expect(job?.schedule).toBe('45 3 * * *')
    expect(job?.singleton).toBe(true)
  })

  it('answers an unknown error with a plain 500 and records its group', async () => {
    const res = await t.app.inject({ url: '/test/orders/1842' })
    expect(res.statusCode).toBe(500)
    const body = res.json()
    expect(body).toEqual({
      error: { code: 'INTERNAL', message: 'Internal server error', requestId: res.headers['x-request-id'] },
    })
    expect(res.body).not.toContain('lookUpOrder')
    expect(res.body).not.toContain('errors.test.ts')

    const [group, ...others] = await groups()
    expect(others).toEqual([])
    expect(group).toMatchObject({
      type: 'TypeError',
      message: 'cannot read order 1842',
      source: 'server',
      count: '1',
      route: 'GET /test/orders/:id',
      sample_request_id: body.error.requestId,
      first_release: releaseOf(t.ctx.config),
      last_release: releaseOf(t.ctx.config),
    })
    expect(group!.first_release).toContain(t.ctx.config.version)
    expect(new Date(group!.first_seen)).toEqual(clock.now())
    expect(new Date(group!.last_seen)).toEqual(clock.now())
    expect(group!.sample_stack).toContain('lookUpOrder')
  })

  it('counts the same error again in its group, keeping the latest message and request id', async () => {
    clock.advance(5 * MINUTE)
    const res = await t.app.inject({ url: '/test/orders/77' })
    expect(res.statusCode).toBe(500)
    const all = await groups()
    expect(all).toHaveLength(1)
    expect(all[0]).toMatchObject({
      count: '2',
      message: 'cannot read order 77',
      sample_request_id: res.json().error.requestId,
    })
    expect(new Date(all[0]!.first_seen)).toEqual(new Date('2026-03-02T12:00:00Z'))
    expect(new Date(all[0]!.last_seen)).toEqual(clock.now())
  })

  it('puts an error from another call site in another group', async () => {
    clock.advance(HOUR)
    expect((await t.app.inject({ url: '/test/stock/5' })).statusCode).toBe(500)
    const all = await groups()
    expect(all.map((g) => [g.route, g.count])).toEqual([
      ['GET /test/orders/:id', '2'],
      ['GET /test/stock/:id', '1'],
    ])
    expect(all[0]!.fingerprint).not.toBe(all[1]!.fingerprint)
  })

  it('stores neither request bodies, headers nor secret values', async () => {
    clock.advance(MINUTE)
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/secret?token=query-token-value',
      headers: { 'x-api-key': 'header-key-value', cookie: 'session=cookie-value' },
      payload: { password: 'body-password-value' },
    })
    expect(res.statusCode).toBe(500)
    const stored = JSON.stringify(await groups())
    for (const value of [
      SESSION_SECRET,
      'query-token-value',
      'header-key-value',
      'cookie-value',
      'body-password-value',
    ])
      expect(stored).not.toContain(value)
    expect(stored).toContain('upstream refused [redacted]')
  })

  it('names a database error by its class, not by pg\'s name "error"', async () => {
    expect((await t.app.inject({ url: '/test/divide' })).statusCode).toBe(500)
    const group = (await groups()).find((g) => g.route === 'GET /test/divide')
    expect(group).toMatchObject({ type: 'DatabaseError', message: 'division by zero' })
    await t.ctx.db.deleteFrom('error_groups').where('route', '=', 'GET /test/divide').execute()
  })

  it('does not record a deliberate 5xx answer', async () => {
    const before = (await groups()).length
    const res = await t.app.inject({ url: '/test/unavailable' })
    expect(res.statusCode).toBe(503)
    expect(await groups()).toHaveLength(before)
  })

  it('lists groups to operators, the most recently seen first, filtered by time and source', async () => {
    expect((await t.app.inject({ url: '/api/errors', headers: await as(t.ctx, 'viewer') })).statusCode).toBe(
      403,
    )
    expect((await t.app.inject({ url: '/api/errors' })).statusCode).toBe(401)

    const page = await list()
    expect(page.items.map((g) => g.route)).toEqual([
      'POST /test/secret',
      'GET /test/stock/:id',
      'GET /test/orders/:id',
    ])
    expect(page.items[2]).toMatchObject({
      type: 'TypeError',
      count: 2,
      source: 'server',
      firstSeen: '2026-03-02T12:00:00.000Z',
      lastSeen: '2026-03-02T12:05:00.000Z',
    })
    // seen within the last half hour: not the order group, last seen over an hour ago
    const since = new Date(clock.ms() - 30 * MINUTE).toISOString()
    expect((await list(`?since=${since}`)).items.map((g) => g.route)).toEqual([
      'POST /test/secret',
      'GET /test/stock/:id',
    ])
    expect((await list('?source=web')).items).toEqual([])
    expect((await list('?source=server')).items).toHaveLength(3)
  })

  it('pages with a cursor and refuses one it did not give out', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page = await list(`?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.items.length).toBeLessThanOrEqual(1)
      seen.push(...page.items.map((g) => g.route ?? ''))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(['POST /test/secret', 'GET /test/stock/:id', 'GET /test/orders/:id'])
    const bad = await t.app.inject({ url: '/api/errors?cursor=bm9wZQ', headers: operator })
    expect(bad.statusCode).toBe(400)
    expect((await t.app.inject({ url: '/api/errors?since=yesterday', headers: operator })).statusCode).toBe(
      400,
    )
  })

  it('shows one group with its latest stack and occurrences per hour', async () => {
    const orders = (await list()).items.find((g) => g.route === 'GET /test/orders/:id')!
    const res = await t.app.inject({ url: `/api/errors/${orders.id}`, headers: operator })
    expect(res.statusCode).toBe(200)
    const detail = res.json()
    expect(detail).toMatchObject({ id: orders.id, count: 2, message: 'cannot read order 77' })
    expect(detail.sampleStack).toMatch(/^TypeError: cannot read order 77\n\s+at lookUpOrder /)
    expect(detail.hourly).toEqual([{ hour: '2026-03-02T12:00:00.000Z', count: 2 }])
    expect((await t.app.inject({ url: '/api/errors/999999', headers: operator })).statusCode).toBe(404)
    expect((await t.app.inject({ url: '/api/errors/abc', headers: operator })).statusCode).toBe(400)
  })

  it('records failed job attempts with the queue name and job id', async () => {
    const failing = defineJob({
      name: 'test.errors-failing',
      description: 'always fails',
      retryLimit: 0,
      async handler() {
        throw new RangeError('quantity 12 out of range')
      },
    })
    let reported = false
    t.ctx.errorSink.listen('test', () => {
      reported = true
    })
    const jobs = new Jobs(t.ctx.database, [failing], t.ctx.logger, t.ctx.errorSink)
    await jobs.start({ work: true, schedule: false }, () => t.ctx)
    let id: string | null = null
    try {
      id = await jobs.send(failing, {})
      for (let i = 0; i < 300 && !reported; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    } finally {
      await jobs.stop(5000)
    }
    const group = (await groups()).find((g) => g.source === 'job')
    expect(group).toMatchObject({
      type: 'RangeError',
      route: 'test.errors-failing',
      sample_request_id: id,
      count: '1',
    })
  })

  it('records a crash before exiting with 1', async () => {
    const exits: number[] = []
    const crash = crashHandler(t.ctx, silentLogger, (code) => exits.push(code))
    await crash(new Error('the event loop fell over'), 'uncaughtException')
    await crash('a rejected string', 'unhandledRejection')
    expect(exits).toEqual([1, 1])
    const group = (await groups()).find((g) => g.route === 'uncaughtException')
    expect(group).toMatchObject({ type: 'Error', message: 'the event loop fell over', source: 'server' })
  })

  it('deletes groups not seen for ERRORS_RETENTION_DAYS, and older hourly counts', async () => {
    const before = await groups()
    clock.advance(89 * 24 * HOUR)
    await t.app.inject({ url: '/test/stock/6' })
    await t.ctx.errorSink.idle()
    clock.advance(2 * 24 * HOUR)
    await errorsRetentionJob.handler({}, t.ctx)
    const left = await groups()
    expect(before.length).toBeGreaterThan(1)
    expect(left.map((g) => g.route)).toEqual(['GET /test/stock/:id'])
    const hours = await t.ctx.db.selectFrom('error_hourly').select(['hour', 'count']).execute()
    expect(hours.map((h) => new Date(h.hour).toISOString())).toEqual([
      new Date(clock.ms() - 2 * 24 * HOUR).toISOString().replace(/:\d\d:\d\d\.\d+Z$/, ':00:00.000Z'),
    ])
  })
})
