import type { AppContext } from '../../context.ts'
import { lastSeenAt, readSeries, type Series, uptimePercent } from '../monitoring/service.ts'
import type { Reading, RuleCondition, ThresholdParams } from './conditions.ts'

/**
 * Reads the numbers each rule's condition needs from the stored metrics. One evaluation shares
 * its reads: rules on the same metric and window cost one query, so hundreds of rules cost a
 * handful of statements.
 */

export interface RuleToRead {
  metric: string
  condition: RuleCondition
  /** When the rule started watching (for absence before any data arrived). */
  since: Date
}

const WEEK_SECONDS = 7 * 24 * 3600
/** At most this many points per window read. */
const POINTS_PER_WINDOW = 60
const MIN_STEP_SECONDS = 10

export class ReadingCache {
  readonly #series = new Map<string, Promise<Series>>()
  readonly #lastSeen = new Map<string, Promise<Date | null>>()
  readonly #uptime = new Map<string, Promise<number | null>>()

  constructor(private readonly ctx: AppContext) {}

  series(name: string, from: Date, to: Date, stepSeconds: number): Promise<Series> {
    const key = `${name}|${from.getTime()}|${to.getTime()}|${stepSeconds}`
    return memo(this.#series, key, () => readSeries(this.ctx, { name, from, to, stepSeconds }))
  }

  lastSeen(name: string): Promise<Date | null> {
    return memo(this.#lastSeen, name, () => lastSeenAt(this.ctx, name))
  }

  uptime(from: Date, to: Date): Promise<number | null> {
    return memo(this.#uptime, `${from.getTime()}|${to.getTime()}`, () =>
      uptimePercent(this.ctx, { from, to }),
    )
  }
}

/** The promise kept under `key`, or `read()` kept there now: one read per key and evaluation. */
export function memo<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const found = map.get(key)
  if (found) return found
  const promise = read()
  map.set(key, promise)
  return promise
}

function stepFor(windowSeconds: number): number {
  return Math.max(MIN_STEP_SECONDS, Math.ceil(windowSeconds / POINTS_PER_WINDOW))
}

function reduce(values: number[], how: ThresholdParams['reduce'] = 'mean'): number | null {
  if (values.length === 0) return null
  switch (how) {
    case 'last':
      return values[values.length - 1]!
    case 'max':
      return Math.max(...values)
    case 'min':
      return Math.min(...values)
    default:
      return values.reduce((sum, v) => sum + v, 0) / values.length
  }
}

async function windowValue(
  cache: ReadingCache,
  metric: string,
  end: Date,
  windowSeconds: number,
  how?: ThresholdParams['reduce'],
): Promise<number | null> {
  const from = new Date(end.getTime() - windowSeconds * 1000)
  if (metric === 'uptime_percent') return cache.uptime(from, end)
  // Up to and including `end`: a sample taken at this very moment counts. Buckets are aligned to
  // the step, so the first may start before the window: it is left out, or a value that just
  // crossed a level would be averaged with the bucket before it for a whole interval.
  const series = await cache.series(metric, from, new Date(end.getTime() + 1), stepFor(windowSeconds))
  return reduce(
    series.points.filter((p) => Date.parse(p.at) >= from.getTime()).map((p) => p.value),
    how,
  )
}

export async function readFor(cache: ReadingCache, rule: RuleToRead, now: Date): Promise<Reading> {
  const { condition, metric } = rule
  switch (condition.kind) {
    case 'threshold': {
      const { windowSeconds, reduce: how } = condition.params
      return { kind: 'threshold', value: await windowValue(cache, metric, now, windowSeconds, how) }
    }
    case 'change': {
      const { windowSeconds, compareSeconds } = condition.params
      const [current, before] = await Promise.all([
        windowValue(cache, metric, now, windowSeconds),
        windowValue(cache, metric, new Date(now.getTime() - compareSeconds * 1000), windowSeconds),
      ])
      return { kind: 'change', current, before }
    }
    case 'deviation':
      return deviationReading(cache, metric, condition.params, now)
    case 'absence':
      return { kind: 'absence', lastSeenAt: await cache.lastSeen(metric), watchingSince: rule.since, now }
  }
}

/**
 * The last complete bucket and the same bucket in each of the earlier weeks. A missing current
 * bucket counts as 0 once history exists (no orders in an hour is exactly what the rule is for);
 * missing earlier buckets are left out (before the data began, not zero).
 */
async function deviationReading(
  cache: ReadingCache,
  metric: string,
  params: { weeks: number; bucketSeconds: number },
  now: Date,
): Promise<Reading> {
  const bucketMs = params.bucketSeconds * 1000
  const end = Math.floor(now.getTime() / bucketMs) * bucketMs
  const from = new Date(end - bucketMs - params.weeks * WEEK_SECONDS * 1000)
  const series = await cache.series(metric, from, new Date(end), params.bucketSeconds)
  const byStart = new Map(series.points.map((p) => [new Date(p.at).getTime(), p.value]))
  const history: number[] = []
  for (let week = 1; week <= params.weeks; week++) {
    const value = byStart.get(end - bucketMs - week * WEEK_SECONDS * 1000)
    if (value !== undefined) history.push(value)
  }
  const current = byStart.get(end - bucketMs) ?? (history.length > 0 ? 0 : null)
  return { kind: 'deviation', current, history }
}
