import { round } from '../../platform/numbers.ts'

/**
 * The regression verdict on a deployment, as a pure comparison of two windows of traffic: the
 * window after the deployment against the window of the same length before it. No database,
 * no clock; `check.ts` gathers the figures and stores the verdict.
 */

/** What the stored samples say about one window. */
export interface WindowTraffic {
  /** Responses in the window, all replicas. */
  requests: number
  /** 5xx responses among them. */
  errors: number
  /** p95 response time in ms: each sample's p95 weighted by its responses; null when none was timed. */
  p95Ms: number | null
}

export interface RegressionThresholds {
  /** Each window needs at least this many responses for a verdict. */
  minRequests: number
  /** The error rate regressed when it rose by at least this many percentage points… */
  errorRatePoints: number
  /** …and to at least this many times the rate before. */
  errorRateFactor: number
  /** The p95 regressed when it grew to at least this many times the p95 before… */
  p95Factor: number
  /** …and by at least this many milliseconds. */
  p95Ms: number
}

export type VerdictState = 'ok' | 'regressed' | 'insufficient_data'

export interface WindowFigures {
  requests: number
  errors: number
  /** 5xx share in %, null without responses. */
  errorRate: number | null
  p95Ms: number | null
}

export interface Comparison {
  state: VerdictState
  before: WindowFigures
  after: WindowFigures
  errorRateRegressed: boolean
  p95Regressed: boolean
  /** Why, in words: what regressed, or which window had too little traffic. */
  reasons: string[]
}

const percent = (part: number, whole: number) => (whole > 0 ? round((100 * part) / whole, 4) : null)

function figures(window: WindowTraffic): WindowFigures {
  return {
    requests: window.requests,
    errors: window.errors,
    errorRate: percent(window.errors, window.requests),
    p95Ms: window.p95Ms === null ? null : round(window.p95Ms, 1),
  }
}

const show = (value: number, digits = 2) => String(round(value, digits))

/**
 * Compares the window after a deployment with the window before it. A window with fewer than
 * `minRequests` responses gives `insufficient_data` (a quiet hour never flags a deployment).
 * Each figure must pass both its relative and its absolute threshold, so a rise from 0.1 % to
 * 0.3 % (three times, but 0.2 points) or from 40 to 80 ms (twice, but 40 ms) stays `ok`.
 */
export function compareWindows(
  before: WindowTraffic,
  after: WindowTraffic,
  thresholds: RegressionThresholds,
): Comparison {
  const b = figures(before)
  const a = figures(after)
  const quiet = [
    ...(before.requests < thresholds.minRequests
      ? [`${before.requests} responses before the deployment (at least ${thresholds.minRequests} needed)`]
      : []),
    ...(after.requests < thresholds.minRequests
      ? [`${after.requests} responses after the deployment (at least ${thresholds.minRequests} needed)`]
      : []),
  ]
  if (quiet.length > 0)
    return {
      state: 'insufficient_data',
      before: b,
      after: a,
      errorRateRegressed: false,
      p95Regressed: false,
      reasons: quiet,
    }

  const rateBefore = (100 * before.errors) / before.requests
  const rateAfter = (100 * after.errors) / after.requests
  const errorRateRegressed =
    rateAfter >= rateBefore + thresholds.errorRatePoints &&
    rateAfter >= rateBefore * thresholds.errorRateFactor
  const p95Regressed =
    before.p95Ms !== null &&
    after.p95Ms !== null &&
    after.p95Ms >= before.p95Ms * thresholds.p95Factor &&
    after.p95Ms - before.p95Ms >= thresholds.p95Ms
  const reasons: string[] = []
  if (errorRateRegressed) reasons.push(`error rate ${show(rateBefore)} % → ${show(rateAfter)} %`)
  if (p95Regressed)
    reasons.push(`p95 response time ${show(before.p95Ms!, 0)} ms → ${show(after.p95Ms!, 0)} ms`)
  return {
    state: errorRateRegressed || p95Regressed ? 'regressed' : 'ok',
    before: b,
    after: a,
    errorRateRegressed,
    p95Regressed,
    reasons,
  }
}
