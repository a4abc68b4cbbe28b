import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { metricsRetentionJob } from './jobs.ts'
import { sampleSystem } from './sampler.ts'
import { readSeries, uptimePercent } from './service.ts'
import { resolutions } from './store.ts'
import { coveragePieces } from './uptime.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const at = (iso: string) => new Date(iso)

describe('uptime from sampling coverage', () => {
  let t: TestApp
  // One sample a minute (the shortest day to sample in a test), half a minute into each slot.
  const clock = new TestClock('2026-03-01T00:00:30Z')

  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock, env: { SAMPLER_INTERVAL_SECONDS: '60' } })
  })
  afterAll(() => t.close())

  it('is null before anything was sampled', async () => {
    expect(
      await uptimePercent(t.ctx, { from: at('2026-02-28T00:00:00Z'), to: at('2026-03-01T00:00:00Z') }),
    ).toBeNull()
  })

  it('counts a 10-minute gap in a day as down: 1430 of 1440 minutes', async () => {
    const gapFrom = Date.parse('2026-03-01T12:00:00Z')
    const gapTo = gapFrom + 10 * MINUTE
    for (let minute = 0; minute < 24 * 60; minute++) {
      if (clock.ms() < gapFrom || clock.ms() >= gapTo) await sampleSystem(t.ctx)
      clock.advance(MINUTE)
    }
    const expected = Math.round(((100 * 1430) / 1440) * 10_000) / 10_000 // 99.3056
    const day = { from: at('2026-03-01T00:00:00Z'), to: at('2026-03-02T00:00:00Z') }
    expect(await uptimePercent(t.ctx, day)).toBe(expected)

    // The same day in a 7-day window: the days before the first sample are not counted.
    expect(await uptimePercent(t.ctx, { from: at('2026-02-23T00:00:00Z'), to: day.to })).toBe(expected)

    const daily = await readSeries(t.ctx, { name: 'uptime_percent', ...day, stepSeconds: 86_400 })
    expect(daily.points).toEqual([{ at: '2026-03-01T00:00:00.000Z', value: expected }])
    const hourly = await readSeries(t.ctx, { name: 'uptime_percent', ...day, stepSeconds: 3600 })
    expect(hourly.points).toHaveLength(24)
    expect(hourly.points[12]).toEqual({
      at: '2026-03-01T12:00:00.000Z',
      value: Math.round((5000 / 60) * 10_000) / 10_000,
    })
    expect(hourly.points.filter((p) => p.value === 100)).toHaveLength(23)

    // The API's three windows: days before the first sample do not count, so 7 and 30 days agree.
    const response = await t.app.inject({ url: '/api/metrics/uptime', headers: await as(t.ctx, 'viewer') })
    expect(response.statusCode).toBe(200)
    const windows = response.json().items as { window: string; percent: number }[]
    expect(windows.map((w) => w.window)).toEqual(['24h', '7d', '30d'])
    expect(windows[1]!.percent).toBe(windows[2]!.percent)
    for (const w of windows) {
      expect(w.percent).toBeGreaterThan(99.25)
      expect(w.percent).toBeLessThan(99.35)
    }
    expect((await t.app.inject({ url: '/api/metrics/uptime' })).statusCode).toBe(401)
  })

  it('reads long windows from rollups, and counts time since the last sample as down', async () => {
    // Three days later, past the raw retention (48 h), with the retention job run.
    clock.advance(3 * DAY)
    await metricsRetentionJob.handler({}, t.ctx)
    expect(await t.ctx.db.selectFrom('metric_samples').select('at').execute()).toEqual([])

    // Edges off the hour: minutes from the minute rollups, the 10 seconds of a minute prorated.
    const from = at('2026-02-25T07:13:20Z')
    const to = at('2026-03-01T18:45:10Z')
    const coveredSeconds = (18 * 60 + 45 - 10) * 60 + 10
    const judgedSeconds = 18 * 3600 + 45 * 60 + 10
    expect(await uptimePercent(t.ctx, { from, to })).toBe(
      Math.round(((100 * coveredSeconds) / judgedSeconds) * 10_000) / 10_000,
    )

    // Up to now: the three days without samples are down.
    const week = await uptimePercent(t.ctx, { from: at('2026-02-25T00:00:00Z'), to: clock.now() })
    const elapsedMinutes = (clock.ms() - Date.parse('2026-03-01T00:00:00Z')) / MINUTE
    expect(week).toBeCloseTo((100 * 1430) / Math.floor(elapsedMinutes), 3)
  })

  it('plans a 30-day range from day and hour rollups, with raw slots only at the recent edge', () => {
    const available = resolutions(t.ctx.config.monitoring)
    const now = Date.parse('2026-04-01T00:00:30Z')
    const pieces = coveragePieces(now - 30 * DAY, now, available, now)
    // the old edge's minutes and slots are past their retention: read from hours, prorated
    expect(pieces.map((p) => p.resolution.name)).toEqual(['hour', 'hour', 'hour', 'day', 'raw'])
    expect(pieces.at(-1)).toMatchObject({ from: now - 30_000, to: now })
    const aligned = coveragePieces(now - 30_000 - 30 * DAY, now - 30_000, available, now)
    expect(aligned.map((p) => p.resolution.name)).toEqual(['day'])
    const recent = coveragePieces(now - 3 * DAY - HOUR - 90_000, now, available, now)
    expect(recent.map((p) => p.resolution.name)).toEqual(['minute', 'hour', 'day', 'raw'])
  })
})
