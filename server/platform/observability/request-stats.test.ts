import { describe, expect, it } from 'vitest'
import { TestClock } from '../../../test/clock.ts'
import { LatencyHistogram } from './latency-histogram.ts'
import { RequestStats } from './request-stats.ts'

describe('LatencyHistogram', () => {
  it('reads percentiles within 5% of the exact value', () => {
    const h = new LatencyHistogram()
    for (let ms = 1; ms <= 1000; ms++) h.record(ms)
    expect(h.quantile(0.5)).toBeGreaterThan(500 * 0.95)
    expect(h.quantile(0.5)).toBeLessThan(500 * 1.05)
    expect(h.quantile(0.99)).toBeGreaterThan(990 * 0.95)
    expect(h.quantile(0.99)).toBeLessThan(990 * 1.05)
  })

  it('is empty-safe and merges by addition', () => {
    const a = new LatencyHistogram()
    expect(a.quantile(0.5)).toBeNull()
    const b = new LatencyHistogram()
    b.record(100)
    a.add(b)
    expect(a.total).toBe(1)
    expect(a.quantile(1)).toBeCloseTo(100, -1)
  })
})

describe('RequestStats', () => {
  it('computes rate, error rate and percentiles over sliding windows', () => {
    const clock = new TestClock('2026-01-05T09:00:00Z')
    const stats = new RequestStats(clock)
    clock.advance(10 * 60_000)
    // 10 minutes ago (relative to the end): 100 slow requests
    for (let i = 0; i < 100; i++) stats.record('GET /slow', 200, 500)
    clock.advance(9 * 60_000)
    // within the last minute: 90 fast OK and 10 failing
    for (let i = 0; i < 90; i++) stats.record('GET /fast', 200, 10)
    for (let i = 0; i < 10; i++) stats.record('POST /orders', 503, 20)

    const lastMinute = stats.summary(60)
    expect(lastMinute.requests).toBe(100)
    expect(lastMinute.errors).toBe(10)
    expect(lastMinute.errorRate).toBe(0.1)
    expect(lastMinute.requestsPerSecond).toBeCloseTo(100 / 60, 2)
    expect(lastMinute.p50Ms).toBeCloseTo(10, 0)

    const fifteen = stats.summary(900)
    expect(fifteen.requests).toBe(200)
    expect(fifteen.p99Ms).toBeGreaterThan(475)

    const routes = stats.routes(900)
    expect(routes.find((r) => r.route === 'POST /orders')).toMatchObject({
      requests: 10,
      errors: 10,
      errorRate: 1,
    })

    // 16 minutes later everything has left the window
    clock.advance(16 * 60_000)
    expect(stats.summary(900)).toMatchObject({ requests: 0, errorRate: null, p50Ms: null })
  })
})
