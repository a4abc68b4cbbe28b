import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { AppContext } from '../../context.ts'
import { sources } from './catalog.ts'
import { SamplerTimer, type Schedule, stopSampler } from './sampler.ts'
import { planSeries, readSeries } from './series.ts'
import { type Series, sampleOnce } from './service.ts'
import { CLUSTER, claimMinute, type Resolution, resolutions, STORED, writeSamples } from './store.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

const SYSTEM_METRICS = [
  'cpu_percent',
  'memory_percent',
  'disk_percent',
  'event_loop_lag_ms',
  'request_rate',
  'error_rate',
  'response_time_p50_ms',
  'response_time_p95_ms',
  'response_time_p99_ms',
  'api_success_rate',
  'uptime_percent',
]

describe('sampling and stored series', () => {
  let t: TestApp
  let viewer: { authorization: string }
  const clock = new TestClock('2026-03-02T10:40:05Z')

  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      clock,
      plugins: [
        (app) => {
          app.get('/api/test/fail', { config: { access: 'public' } }, async () => {
            throw new Error('boom')
          })
        },
      ],
    })
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  const series = (name: string, from: number, to: number, stepSeconds?: number) =>
    readSeries(t.ctx, { name, from: new Date(from), to: new Date(to), stepSeconds })

  it('stores every system metric of a sample, with request figures of the interval', async () => {
    t.ctx.system.sample()
    for (let i = 0; i < 3; i++) expect((await t.app.inject({ url: '/health/live' })).statusCode).toBe(200)
    for (let i = 0; i < 4; i++)
      expect((await t.app.inject({ url: '/api/metrics/catalog', headers: viewer })).statusCode).toBe(200)
    expect((await t.app.inject({ url: '/api/test/fail' })).statusCode).toBe(500)
    await sampleOnce(t.ctx)

    const rows = await t.ctx.db
      .selectFrom('metric_samples')
      .select(['name', 'value'])
      .where('instance_id', '=', t.ctx.instanceId)
      .execute()
    const stored = Object.fromEntries(rows.map((row) => [row.name, row.value]))
    expect(stored).toMatchObject({ http_requests: 8, http_errors: 1, api_requests: 5, api_errors: 1 })

    const now = clock.ms()
    for (const name of SYSTEM_METRICS) {
      const read = await series(name, now - MINUTE, now + MINUTE, 10)
      expect(read.points, name).toHaveLength(1)
      expect(read.points[0]!.at).toBe('2026-03-02T10:40:00.000Z')
    }
    const value = async (name: string) =>
      (await series(name, now - MINUTE, now + MINUTE, 10)).points[0]!.value
    expect(await value('request_rate')).toBe(0.8) // 8 responses in a 10-second slot
    expect(await value('error_rate')).toBe(12.5)
    expect(await value('api_success_rate')).toBe(80)
    expect(await value('uptime_percent')).toBe(100)
    expect(await value('cpu_percent')).toBeGreaterThanOrEqual(0)
    expect(await value('memory_percent')).toBeGreaterThan(0)
    expect(await value('disk_percent')).toBeGreaterThan(0)
    expect(await value('response_time_p99_ms')).toBeGreaterThanOrEqual(await value('response_time_p50_ms'))
  })

  it('gives the same bucket averages from raw samples and from each rollup, and omits empty buckets', async () => {
    // Half an hour across 11:00 with a varying load, then nothing for five minutes, then more.
    clock.advance(10 * SECOND)
    const start = clock.ms()
    for (let i = 0; i < 180; i++) {
      if (i < 100 || i >= 130) {
        for (let r = 0; r < i % 4; r++) await t.app.inject({ url: '/api/metrics/catalog', headers: viewer })
        if (i % 7 === 0) await t.app.inject({ url: '/api/test/fail' })
        await sampleOnce(t.ctx)
      }
      clock.advance(10 * SECOND)
    }
    const end = clock.ms()
    const [raw, minute, hour, day] = resolutions(t.ctx.config.monitoring) as [Resolution, ...Resolution[]]
    const at = async (name: string, step: number, resolution: Resolution) => {
      const from = Math.floor(start / (step * 1000)) * step * 1000
      const to = Math.ceil(end / (step * 1000)) * step * 1000
      return sources[name]!.points(t.ctx, { from, to, step, resolution, now: end })
    }
    for (const name of [
      'cpu_percent',
      'memory_percent',
      'response_time_p95_ms',
      'request_rate',
      'error_rate',
      'api_success_rate',
      'uptime_percent',
    ]) {
      // The same buckets with the same means, up to the last rounded digit (the sums add up in
      // another order, so a mean on a rounding boundary may land one hundredth either way).
      const same = (actual: { at: number; value: number }[], expected: { at: number; value: number }[]) => {
        expect(
          actual.map((p) => p.at),
          name,
        ).toEqual(expected.map((p) => p.at))
        for (const [i, point] of actual.entries())
          expect(Math.abs(point.value - expected[i]!.value), name).toBeLessThanOrEqual(0.01 + 1e-9)
      }
      const fromRaw = await at(name, 3600, raw)
      expect(fromRaw.length, name).toBe(2)
      same(await at(name, 3600, minute!), fromRaw)
      same(await at(name, 3600, hour!), fromRaw)
      same(await at(name, 300, minute!), await at(name, 300, raw))
      same(await at(name, 86_400, day!), await at(name, 86_400, raw))
    }

    // Minute buckets of the five minutes without samples: absent, but down for uptime.
    const gapStart = start + 100 * 10 * SECOND
    const inGap = (s: Series) =>
      s.points.filter(
        (p) => Date.parse(p.at) >= gapStart + MINUTE && Date.parse(p.at) < gapStart + 4 * MINUTE,
      )
    expect(inGap(await series('cpu_percent', start, end, 60))).toEqual([])
    expect(inGap(await series('request_rate', start, end, 60))).toEqual([])
    expect(inGap(await series('uptime_percent', start, end, 60)).map((p) => p.value)).toEqual([0, 0, 0])
  })

  it('aggregates replicas: the worst one for gauges, the sum for rates, shares weighted by requests', async () => {
    const at = new Date('2026-03-03T00:00:05Z')
    const row = (name: string, instanceId: string, value: number, when = at) => ({
      name,
      instanceId,
      at: when,
      value,
    })
    const later = new Date(at.getTime() + 20 * SECOND)
    await writeSamples(t.ctx, [
      row('cpu_percent', 'replica-a', 20),
      row(STORED.requests, 'replica-a', 100),
      row(STORED.errors, 'replica-a', 10),
      row(STORED.coverage, CLUSTER, 10, new Date('2026-03-03T00:00:00Z')),
    ])
    await writeSamples(t.ctx, [
      row('cpu_percent', 'replica-b', 70),
      row(STORED.requests, 'replica-b', 50),
      row(STORED.errors, 'replica-b', 0),
      // the same slot sampled by a second replica counts once
      row(STORED.coverage, CLUSTER, 10, new Date('2026-03-03T00:00:00Z')),
    ])
    await writeSamples(t.ctx, [row('cpu_percent', 'replica-a', 40, later)])
    const from = Date.parse('2026-03-03T00:00:00Z')
    const read = async (name: string) => (await series(name, from, from + MINUTE, 60)).points
    expect(await read('cpu_percent')).toEqual([{ at: '2026-03-03T00:00:00.000Z', value: 70 }])
    expect(await read('request_rate')).toEqual([{ at: '2026-03-03T00:00:00.000Z', value: 15 }])
    expect((await read('error_rate'))[0]!.value).toBeCloseTo((100 * 10) / 150, 4)
    const coverage = await t.ctx.db
      .selectFrom('metric_samples')
      .select('value')
      .where('name', '=', STORED.coverage)
      .where('at', '=', new Date('2026-03-03T00:00:00Z'))
      .execute()
    expect(coverage).toHaveLength(1)
  })

  it('lets exactly one of many replicas claim a minute of a cluster-wide series', async () => {
    const minute = new Date('2026-03-02T11:00:00Z')
    const replicas = Array.from({ length: 6 }, (_, i) => ({ ...t.ctx, instanceId: `claimer-${i}` }))
    const first = await Promise.all(replicas.map((ctx) => claimMinute(ctx, 'claim_test', minute)))
    expect(first.filter(Boolean)).toHaveLength(1)
    const again = await Promise.all(replicas.map((ctx) => claimMinute(ctx, 'claim_test', minute)))
    expect(again.filter(Boolean)).toHaveLength(0)
    const next = new Date(minute.getTime() + MINUTE)
    const later = await Promise.all(replicas.map((ctx) => claimMinute(ctx, 'claim_test', next)))
    expect(later.filter(Boolean)).toHaveLength(1)
  })

  it('chooses the step and the stored resolution from the range and the retention', () => {
    const available = resolutions(t.ctx.config.monitoring)
    const now = Date.parse('2026-03-10T12:00:00Z')
    const plan = (
      fromAgo: number,
      toAgo: number,
      step?: number,
      storage: 'sampled' | 'hourly' = 'sampled',
    ) => {
      const p = planSeries(storage, available, {
        from: now - fromAgo,
        to: now - toAgo,
        stepSeconds: step,
        now,
      })
      return { step: p.step, resolution: p.resolution.name }
    }
    expect(plan(HOUR, 0)).toEqual({ step: 20, resolution: 'raw' })
    expect(plan(24 * HOUR, 0)).toEqual({ step: 300, resolution: 'minute' })
    expect(plan(7 * 24 * HOUR, 0)).toEqual({ step: 3600, resolution: 'hour' })
    expect(plan(30 * 24 * HOUR, 0)).toEqual({ step: 10_800, resolution: 'hour' })
    expect(plan(HOUR, 0, 1)).toEqual({ step: 10, resolution: 'raw' })
    expect(plan(HOUR, 0, 90)).toEqual({ step: 90, resolution: 'raw' })
    // a week back raw samples are gone: a 10-second step becomes a minute
    expect(plan(7 * 24 * HOUR, 7 * 24 * HOUR - 5 * MINUTE, 10)).toEqual({ step: 60, resolution: 'minute' })
    // a year back only hours and days are kept
    expect(plan(365 * 24 * HOUR, 0, 60)).toEqual({ step: 3600, resolution: 'hour' })
    expect(plan(500 * 24 * HOUR, 0, 3600)).toEqual({ step: 86_400, resolution: 'day' })
    // business rollups are hourly
    expect(plan(HOUR, 0, 10, 'hourly')).toEqual({ step: 3600, resolution: 'hour' })
  })

  describe('GET /api/metrics/series', () => {
    const url = (query: string) => `/api/metrics/series?${query}`

    it('answers points of the stored series', async () => {
      const res = await t.app.inject({
        url: url('name=request_rate&from=2026-03-02T10:30:00Z&to=2026-03-02T11:30:00Z&step=600'),
        headers: viewer,
      })
      expect(res.statusCode).toBe(200)
      const body = res.json()
      expect(body).toMatchObject({ name: 'request_rate', unit: 'req/s', stepSeconds: 600 })
      expect(body.points.map((p: { at: string }) => p.at)).toEqual([
        '2026-03-02T10:40:00.000Z',
        '2026-03-02T10:50:00.000Z',
        '2026-03-02T11:00:00.000Z',
        '2026-03-02T11:10:00.000Z',
      ])
      expect(body.points.every((p: { value: number }) => p.value >= 0)).toBe(true)
    })

    it('lists the catalog', async () => {
      const res = await t.app.inject({ url: '/api/metrics/catalog', headers: viewer })
      expect(res.statusCode).toBe(200)
      const names = res.json().items.map((m: { name: string }) => m.name)
      expect(names).toEqual(expect.arrayContaining([...SYSTEM_METRICS, 'revenue_per_hour', 'active_users']))
    })

    it('refuses an unknown name, a reversed range, a bad step, too many points and no credentials', async () => {
      const get = (query: string, headers: Record<string, string> = viewer) =>
        t.app.inject({ url: url(query), headers })
      const unknown = await get('name=cpu&from=2026-03-02T10:00:00Z&to=2026-03-02T11:00:00Z')
      expect(unknown.statusCode).toBe(400)
      expect(unknown.json().error).toMatchObject({ code: 'UNKNOWN_METRIC' })
      expect(unknown.json().error.message).toContain('cpu_percent')
      const reversed = await get('name=cpu_percent&from=2026-03-02T11:00:00Z&to=2026-03-02T10:00:00Z')
      expect(reversed.statusCode).toBe(400)
      expect(reversed.json().error.code).toBe('INVALID_RANGE')
      const equal = await get('name=cpu_percent&from=2026-03-02T11:00:00Z&to=2026-03-02T11:00:00Z')
      expect(equal.json().error.code).toBe('INVALID_RANGE')
      expect((await get('name=cpu_percent&step=0')).statusCode).toBe(400)
      expect((await get('name=cpu_percent&step=abc')).statusCode).toBe(400)
      expect((await get('name=cpu_percent&from=yesterday')).statusCode).toBe(400)
      const many = await get('name=cpu_percent&from=2026-03-01T00:00:00Z&to=2026-03-02T11:00:00Z&step=10')
      expect(many.statusCode).toBe(400)
      expect(many.json().error.code).toBe('TOO_MANY_POINTS')
      expect((await get('name=cpu_percent', {})).statusCode).toBe(401)
    })
  })

  it('samples on a timer that never overlaps itself and goes on after a failed sample', async () => {
    const warnings: string[] = []
    const logger = Object.assign(Object.create(t.ctx.logger), {
      warn: (_details: unknown, message: string) => warnings.push(message),
    })
    const ctx: AppContext = { ...t.ctx, instanceId: 'timer-test', logger }
    const pending: { run: () => void; delayMs: number }[] = []
    let cancelled = 0
    let onSchedule = () => {}
    const schedule: Schedule = (run, delayMs) => {
      pending.push({ run, delayMs })
      onSchedule()
      return { cancel: () => cancelled++ }
    }
    const scheduled = () => new Promise<void>((resolve) => (onSchedule = resolve))
    const timer = new SamplerTimer(ctx, 10, schedule)

    timer.start()
    expect(pending).toHaveLength(1)
    // the middle of the next 10-second slot
    const offset = clock.ms() % 10_000
    expect(pending[0]!.delayMs).toBe(offset <= 4000 ? 5000 - offset : 15_000 - offset)

    ctx.db = t.ctx.db.withPlugin({
      transformQuery() {
        throw new Error('database unreachable')
      },
      async transformResult(args) {
        return args.result
      },
    })
    let next = scheduled()
    pending.shift()!.run()
    expect(pending).toHaveLength(0) // nothing is scheduled while a sample is being taken
    await next
    expect(pending).toHaveLength(1)
    expect(warnings).toContain('metric sample failed')

    ctx.db = t.ctx.db
    clock.advance(10_000)
    next = scheduled()
    pending.shift()!.run()
    await next
    const stored = await t.ctx.db
      .selectFrom('metric_samples')
      .select('name')
      .where('instance_id', '=', 'timer-test')
      .execute()
    expect(stored.map((row) => row.name)).toContain('cpu_percent')

    await timer.stop()
    expect(cancelled).toBe(1)
    await stopSampler(ctx)
  })
})
