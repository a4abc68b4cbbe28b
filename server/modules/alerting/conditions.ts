import type { AlertSeverity } from '../../platform/db/schema.ts'

/**
 * The four kinds of alert condition as pure functions of the numbers read for them: a threshold
 * (one or two levels), a change against the same time some days earlier, a deviation from the
 * same hour-of-week in earlier weeks, and the absence of data. Each answers a verdict; reading
 * the numbers is `readings.ts`'s job.
 */

export type Comparison = '>' | '>=' | '<' | '<='

export interface ThresholdParams {
  op: Comparison
  /** The alert level: breaching it raises the rule's severity. */
  alert: number
  /** An optional warning level, breached first, with its own (lower) severity. */
  warn?: number
  warnSeverity?: AlertSeverity
  /** The value is the mean (or `reduce`) of the metric over the last `windowSeconds`. */
  windowSeconds: number
  reduce?: 'mean' | 'max' | 'min' | 'last'
}

export interface ChangeParams {
  direction: 'drop' | 'rise'
  /** Alert when the value moved by at least this share, in % (50 = halved for a drop). */
  percent: number
  /** How far back the comparison point lies (a week: 604800). */
  compareSeconds: number
  windowSeconds: number
}

export interface DeviationParams {
  /** Alert when |z| is greater than this. */
  sigma: number
  /** Earlier weeks compared (the same hour-of-week in each). */
  weeks: number
  /** Bucket compared: the last complete one of this length (an hour: 3600). */
  bucketSeconds: number
}

export interface AbsenceParams {
  /** No data for this many minutes breaches. */
  minutes: number
}

export type RuleCondition =
  | { kind: 'threshold'; params: ThresholdParams }
  | { kind: 'change'; params: ChangeParams }
  | { kind: 'deviation'; params: DeviationParams }
  | { kind: 'absence'; params: AbsenceParams }

export type Reading =
  | { kind: 'threshold'; value: number | null }
  | { kind: 'change'; current: number | null; before: number | null }
  | { kind: 'deviation'; current: number | null; history: number[] }
  | { kind: 'absence'; lastSeenAt: Date | null; watchingSince: Date; now: Date }

/** `unknown`: not enough data to judge; the alert keeps its state. */
export type Verdict =
  | { state: 'ok'; value: number | null; summary: string }
  | { state: 'breach'; severity: AlertSeverity; value: number | null; summary: string }
  | { state: 'unknown'; summary: string }

const compare: Record<Comparison, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
}

function fmt(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2)
}

export function judge(condition: RuleCondition, severity: AlertSeverity, reading: Reading): Verdict {
  switch (condition.kind) {
    case 'threshold':
      return threshold(condition.params, severity, reading as Extract<Reading, { kind: 'threshold' }>)
    case 'change':
      return change(condition.params, severity, reading as Extract<Reading, { kind: 'change' }>)
    case 'deviation':
      return deviation(condition.params, severity, reading as Extract<Reading, { kind: 'deviation' }>)
    case 'absence':
      return absence(condition.params, severity, reading as Extract<Reading, { kind: 'absence' }>)
  }
}

function threshold(
  params: ThresholdParams,
  severity: AlertSeverity,
  { value }: { value: number | null },
): Verdict {
  if (value === null) return { state: 'unknown', summary: 'no data in the window' }
  const test = compare[params.op]
  if (test(value, params.alert))
    return { state: 'breach', severity, value, summary: `${fmt(value)} ${params.op} ${fmt(params.alert)}` }
  if (params.warn !== undefined && test(value, params.warn))
    return {
      state: 'breach',
      severity: params.warnSeverity ?? 'low',
      value,
      summary: `${fmt(value)} ${params.op} ${fmt(params.warn)} (warning level)`,
    }
  return { state: 'ok', value, summary: `${fmt(value)} within limits` }
}

function change(
  params: ChangeParams,
  severity: AlertSeverity,
  { current, before }: { current: number | null; before: number | null },
): Verdict {
  if (current === null || before === null) return { state: 'unknown', summary: 'no data to compare' }
  if (before === 0) return { state: 'ok', value: current, summary: 'nothing to compare with (0 before)' }
  const moved = ((current - before) / before) * 100
  const breach = params.direction === 'drop' ? -moved >= params.percent : moved >= params.percent
  const summary = `${fmt(current)} against ${fmt(before)} before (${moved >= 0 ? '+' : ''}${moved.toFixed(1)}%)`
  return breach
    ? { state: 'breach', severity, value: current, summary }
    : { state: 'ok', value: current, summary }
}

/** z = (x − mean) / sd with the sample sd (n − 1); breach when |z| > sigma and sd > 0. */
export function zScore(
  current: number,
  history: readonly number[],
): { mean: number; sd: number; z: number | null } {
  const n = history.length
  const mean = history.reduce((sum, v) => sum + v, 0) / n
  const sd = n < 2 ? 0 : Math.sqrt(history.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1))
  return { mean, sd, z: sd === 0 ? null : (current - mean) / sd }
}

function deviation(
  params: DeviationParams,
  severity: AlertSeverity,
  { current, history }: { current: number | null; history: number[] },
): Verdict {
  if (current === null || history.length < 2)
    return { state: 'unknown', summary: 'fewer than 2 earlier weeks to compare with' }
  const { mean, sd, z } = zScore(current, history)
  if (z === null)
    return { state: 'ok', value: current, summary: `${fmt(current)}; earlier weeks did not vary` }
  const summary = `${fmt(current)} against a mean of ${fmt(mean)} (sd ${fmt(sd)}, z ${z.toFixed(2)})`
  return Math.abs(z) > params.sigma
    ? { state: 'breach', severity, value: current, summary }
    : { state: 'ok', value: current, summary }
}

function absence(
  params: AbsenceParams,
  severity: AlertSeverity,
  { lastSeenAt, watchingSince, now }: { lastSeenAt: Date | null; watchingSince: Date; now: Date },
): Verdict {
  const reference = lastSeenAt ?? watchingSince
  const silentMinutes = (now.getTime() - reference.getTime()) / 60_000
  if (silentMinutes > params.minutes)
    return {
      state: 'breach',
      severity,
      value: silentMinutes,
      summary: lastSeenAt
        ? `no data for ${Math.floor(silentMinutes)} minutes`
        : `no data since the rule began (${Math.floor(silentMinutes)} minutes)`,
    }
  return { state: 'ok', value: silentMinutes, summary: 'data is arriving' }
}
