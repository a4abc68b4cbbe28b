/**
 * Dashboard KPI rules (SPEC §3): the revenue "2σ" anomaly, conversion rate, the active-users "50% drop"
 * and success rates. Callers pick the windows; these functions only compare numbers.
 */

function requireFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${name} must be a finite number, got ${value}`)
}

function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a number ≥ 0, got ${value}`)
}

export interface AnomalyVerdict {
  mean: number
  /** Sample standard deviation (n − 1) of the history. */
  sd: number
  /** (x − mean) / sd; null when sd is 0. */
  z: number | null
  alert: boolean
}

/** Fewest comparable hours needed for a sample standard deviation. */
const MIN_HISTORY = 2

/**
 * Compares the last complete hour's revenue with the same hour-of-week in previous weeks (SPEC: 8):
 * z = (x − mean)/sd with the sample sd (n − 1); alert when |z| > 2 and sd > 0. Null (no verdict) with
 * fewer than 2 history points.
 */
export function revenueAnomaly(
  lastHourValue: number,
  sameHourPreviousWeeks: readonly number[],
): AnomalyVerdict | null {
  requireFinite('lastHourValue', lastHourValue)
  for (const value of sameHourPreviousWeeks) requireFinite('history value', value)
  const n = sameHourPreviousWeeks.length
  if (n < MIN_HISTORY) return null
  const mean = sameHourPreviousWeeks.reduce((sum, value) => sum + value, 0) / n
  const squares = sameHourPreviousWeeks.reduce((sum, value) => sum + (value - mean) ** 2, 0)
  const sd = Math.sqrt(squares / (n - 1))
  if (sd === 0) return { mean, sd, z: null, alert: false }
  const z = (lastHourValue - mean) / sd
  return { mean, sd, z, alert: Math.abs(z) > 2 }
}

/** Orders per storefront session over a window; null when there were no sessions. Not capped at 1. */
export function conversionRate(orders: number, sessions: number): number | null {
  requireNonNegative('orders', orders)
  requireNonNegative('sessions', sessions)
  return sessions === 0 ? null : orders / sessions
}

/**
 * The "50% drop" rule: alert when active users now are fewer than half of those at the same time a
 * week earlier (exactly half does not alert). `ratio` is now / week ago, null when a week ago was 0.
 */
export function activeUsersDrop(now: number, weekAgo: number): { alert: boolean; ratio: number | null } {
  requireNonNegative('now', now)
  requireNonNegative('weekAgo', weekAgo)
  if (weekAgo === 0) return { alert: false, ratio: null }
  return { alert: now < 0.5 * weekAgo, ratio: now / weekAgo }
}

/** Share of calls that did not fail (API responses not 5xx, or successful outbound calls); null with none. */
export function successRate(total: number, failures: number): number | null {
  requireNonNegative('total', total)
  requireNonNegative('failures', failures)
  if (failures > total) throw new RangeError(`failures (${failures}) exceed total (${total})`)
  return total === 0 ? null : (total - failures) / total
}
