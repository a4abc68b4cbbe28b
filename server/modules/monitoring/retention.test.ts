import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { modules } from '../index.ts'
import { metricsRetentionJob } from './jobs.ts'
import { writeSamples } from './store.ts'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

describe('retention of metric series', () => {
  let t: TestApp
  const clock = new TestClock('2026-06-10T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock, env: { METRICS_MINUTE_RETENTION_DAYS: '7' } })
  })
  afterAll(() => t.close())

  it('is a scheduled job of a registered module, once across replicas', () => {
    const job = modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'monitoring.retention')
    expect(job?.schedule).toBe('35 * * * *')
    expect(job?.singleton).toBe(true)
  })

  it('deletes raw samples, minute and hour rollups past their retention, and keeps every day', async () => {
    const now = clock.ms()
    // One sample at each age; each lands in every resolution's bucket.
    const ages = {
      rawKept: 48 * HOUR, // exactly at the raw retention: kept
      rawGone: 48 * HOUR + 1000,
      minuteKept: 7 * DAY, // METRICS_MINUTE_RETENTION_DAYS=7
      minuteGone: 7 * DAY + MINUTE,
      hourKept: 400 * DAY,
      hourGone: 400 * DAY + HOUR,
    }
    for (const [name, age] of Object.entries(ages)) {
      await writeSamples(t.ctx, [{ name, instanceId: 'replica', at: new Date(now - age), value: 1 }])
    }
    const names = async (table: 'metric_samples' | 'metric_minutes' | 'metric_hours' | 'metric_days') =>
      (await t.ctx.db.selectFrom(table).select('name').orderBy('name').execute()).map((row) => row.name)
    const all = Object.keys(ages).sort()
    for (const table of ['metric_samples', 'metric_minutes', 'metric_hours', 'metric_days'] as const)
      expect(await names(table)).toEqual(all)

    await metricsRetentionJob.handler({}, t.ctx)

    expect(await names('metric_samples')).toEqual(['rawKept'])
    expect(await names('metric_minutes')).toEqual(['minuteKept', 'rawGone', 'rawKept'])
    expect(await names('metric_hours')).toEqual([
      'hourKept',
      'minuteGone',
      'minuteKept',
      'rawGone',
      'rawKept',
    ])
    expect(await names('metric_days')).toEqual(all)
  })
})
