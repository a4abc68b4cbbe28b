import { describe, expect, it } from 'vitest'
import { compareWindows, type RegressionThresholds } from './regression.ts'
import { sumWindow } from './traffic.ts'

/** The defaults of DEPLOY_REGRESSION_* (README's configuration table). */
const defaults: RegressionThresholds = {
  minRequests: 100,
  errorRatePoints: 2,
  errorRateFactor: 2,
  p95Factor: 1.5,
  p95Ms: 200,
}

/** A window of `requests` responses with this error rate (in %) and p95. */
const traffic = (requests: number, errorPercent: number, p95Ms: number | null) => ({
  requests,
  errors: Math.round((requests * errorPercent) / 100),
  p95Ms,
})

describe('compareWindows', () => {
  it('flags a real regression of the error rate: 0.5 % → 8 %', () => {
    const verdict = compareWindows(traffic(4000, 0.5, 300), traffic(4000, 8, 310), defaults)
    expect(verdict.state).toBe('regressed')
    expect(verdict.errorRateRegressed).toBe(true)
    expect(verdict.p95Regressed).toBe(false)
    expect(verdict.before).toEqual({ requests: 4000, errors: 20, errorRate: 0.5, p95Ms: 300 })
    expect(verdict.after).toEqual({ requests: 4000, errors: 320, errorRate: 8, p95Ms: 310 })
    expect(verdict.reasons).toEqual(['error rate 0.5 % → 8 %'])
  })

  it('flags a real regression of p95: 300 → 1200 ms', () => {
    const verdict = compareWindows(traffic(4000, 0.5, 300), traffic(4000, 0.5, 1200), defaults)
    expect(verdict.state).toBe('regressed')
    expect(verdict.p95Regressed).toBe(true)
    expect(verdict.errorRateRegressed).toBe(false)
    expect(verdict.reasons).toEqual(['p95 response time 300 ms → 1200 ms'])
  })

  it('names both when both regressed', () => {
    const verdict = compareWindows(traffic(4000, 0.5, 300), traffic(4000, 8, 1200), defaults)
    expect(verdict.state).toBe('regressed')
    expect(verdict.reasons).toEqual(['error rate 0.5 % → 8 %', 'p95 response time 300 ms → 1200 ms'])
  })

  it('ignores noise: 0.5 % → 0.9 % and p95 300 → 340 ms', () => {
    const verdict = compareWindows(traffic(4000, 0.5, 300), traffic(4000, 0.9, 340), defaults)
    expect(verdict).toMatchObject({
      state: 'ok',
      errorRateRegressed: false,
      p95Regressed: false,
      reasons: [],
    })
    expect(verdict.after.errorRate).toBe(0.9)
  })

  it('needs both the relative and the absolute rise', () => {
    // Three times the error rate but only 0.2 points more; twice the p95 but only 40 ms more.
    expect(compareWindows(traffic(10_000, 0.1, 40), traffic(10_000, 0.3, 80), defaults).state).toBe('ok')
    // 2.5 points more but not twice the rate (10 % → 12.5 %); 250 ms more but not 1.5 × (1000 → 1250 ms).
    expect(compareWindows(traffic(10_000, 10, 1000), traffic(10_000, 12.5, 1250), defaults).state).toBe('ok')
    // From no errors at all, 2 % is both.
    expect(compareWindows(traffic(1000, 0, 100), traffic(1000, 2, 100), defaults).state).toBe('regressed')
  })

  it('gives no verdict on low traffic: 20 responses after the deployment', () => {
    const verdict = compareWindows(traffic(4000, 0.5, 300), traffic(20, 50, 5000), defaults)
    expect(verdict.state).toBe('insufficient_data')
    expect(verdict.errorRateRegressed).toBe(false)
    expect(verdict.reasons).toEqual(['20 responses after the deployment (at least 100 needed)'])
    expect(compareWindows(traffic(99, 0, 100), traffic(4000, 0, 100), defaults).reasons).toEqual([
      '99 responses before the deployment (at least 100 needed)',
    ])
  })

  it('judges the error rate alone when no response was timed in a window', () => {
    expect(compareWindows(traffic(500, 0, null), traffic(500, 0, 900), defaults).state).toBe('ok')
    expect(compareWindows(traffic(500, 0, null), traffic(500, 10, null), defaults).state).toBe('regressed')
  })

  it('follows the configured thresholds', () => {
    const strict = { ...defaults, errorRatePoints: 0.2, errorRateFactor: 1.5, p95Factor: 1.1, p95Ms: 30 }
    expect(compareWindows(traffic(4000, 0.5, 300), traffic(4000, 0.9, 340), strict)).toMatchObject({
      state: 'regressed',
      errorRateRegressed: true,
      p95Regressed: true,
    })
  })
})

describe('sumWindow', () => {
  const row = (name: string, instanceId: string, at: number, sum: number, count = 1) => ({
    name,
    instanceId,
    at,
    sum,
    count,
  })

  it('sums responses and 5xx over slots and replicas, and weights each sample’s p95 by its responses', () => {
    const window = sumWindow([
      row('http_requests', 'a', 0, 90),
      row('http_errors', 'a', 0, 1),
      row('response_time_p95_ms', 'a', 0, 100),
      row('http_requests', 'b', 0, 10),
      row('http_errors', 'b', 0, 5),
      row('response_time_p95_ms', 'b', 0, 1000),
      // A slot without responses has no p95 and weighs nothing.
      row('http_requests', 'a', 10_000, 0),
    ])
    expect(window).toEqual({ requests: 100, errors: 6, p95Ms: (90 * 100 + 10 * 1000) / 100 })
  })

  it('has no p95 without timed responses', () => {
    expect(sumWindow([row('http_requests', 'a', 0, 3)])).toEqual({ requests: 3, errors: 0, p95Ms: null })
  })
})
