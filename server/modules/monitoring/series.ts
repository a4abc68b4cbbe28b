import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { type MetricSource, sources } from './catalog.ts'
import { ceilTo, floorTo, type Resolution, resolutions } from './store.ts'

export interface SeriesPoint {
  /** ISO start of the bucket. */
  at: string
  value: number
}

export interface Series {
  name: string
  unit: string
  stepSeconds: number
  points: SeriesPoint[]
}

/** Most points one read may return (a year of hours fits). */
export const MAX_POINTS = 10_000
/** What a read without a step aims for. */
const TARGET_POINTS = 300
/** The longest step accepted (a leap year). */
export const MAX_STEP_SECONDS = 366 * 86_400
/** Earliest time accepted: older is a typing error (and year 0 is no PostgreSQL date). */
const EARLIEST = Date.UTC(1970, 0, 1)

const NICE_STEPS = [
  1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 604_800,
]

/** Business rollups by the hour, kept forever. */
const HOURLY: Resolution = { name: 'hour', table: 'metric_hours', seconds: 3600, keptMs: null }

export const unknownMetric = (name: string) =>
  new AppError(
    400,
    'UNKNOWN_METRIC',
    `Unknown metric "${name}"; known: ${Object.keys(sources).join(', ')} (GET /api/metrics/catalog)`,
  )

const badRange = (message: string) => new AppError(400, 'INVALID_RANGE', message)

export interface SeriesPlan {
  /** Start of the first bucket and end of the last (ms, aligned to the step). */
  from: number
  to: number
  step: number
  resolution: Resolution
}

/**
 * The step and stored resolution of a read. The step defaults to a round one giving about 300
 * points and is raised to the finest stored resolution; the resolution is the coarsest whose
 * buckets divide the step among those still kept for the range's start. When none divides it,
 * the finest kept one is used and the step rounded up to its multiple (a step of 10 s a week
 * back becomes 60 s: raw samples are gone, minutes are kept).
 */
export function planSeries(
  storage: MetricSource['storage'],
  available: Resolution[],
  query: { from: number; to: number; stepSeconds?: number; now: number },
): SeriesPlan {
  const stored = storage === 'hourly' ? [HOURLY] : available
  const finest = stored[0]!.seconds
  let step = Math.max(finest, query.stepSeconds ?? defaultStep((query.to - query.from) / 1000))
  const kept = stored.filter((r) => r.keptMs === null || floorTo(query.from, step) >= query.now - r.keptMs)
  const usable = kept.length > 0 ? kept : stored.slice(-1)
  let resolution = usable.filter((r) => step % r.seconds === 0).at(-1)
  if (!resolution) {
    resolution = usable[0]!
    step = Math.ceil(step / resolution.seconds) * resolution.seconds
  }
  return { from: floorTo(query.from, step), to: ceilTo(query.to, step), step, resolution }
}

function defaultStep(rangeSeconds: number): number {
  const wanted = rangeSeconds / TARGET_POINTS
  return NICE_STEPS.find((step) => step >= wanted) ?? Math.ceil(wanted / 86_400) * 86_400
}

function sourceOf(name: string): MetricSource {
  const source = Object.hasOwn(sources, name) ? sources[name] : undefined
  if (!source) throw unknownMetric(name)
  return source
}

/**
 * A metric's points between two instants, one per bucket of `stepSeconds` aligned to multiples
 * of the step since the epoch (so the first bucket may start before `from`). Buckets with no
 * data are omitted. Throws 400 for an unknown name, a bad range or too many points.
 */
export async function readSeries(
  ctx: AppContext,
  query: { name: string; from: Date; to: Date; stepSeconds?: number },
): Promise<Series> {
  const source = sourceOf(query.name)
  const from = query.from.getTime()
  const to = query.to.getTime()
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw badRange('from and to must be valid times')
  if (from < EARLIEST) throw badRange('from must be a time from 1970 on')
  if (to <= from) throw badRange('to must be after from')
  if (query.stepSeconds !== undefined && !(query.stepSeconds >= 1 && query.stepSeconds <= MAX_STEP_SECONDS))
    throw badRange(`the step must be between 1 and ${MAX_STEP_SECONDS} seconds`)
  const now = ctx.clock.ms()
  const plan = planSeries(source.storage, resolutions(ctx.config.monitoring), {
    from,
    to,
    stepSeconds: query.stepSeconds === undefined ? undefined : Math.ceil(query.stepSeconds),
    now,
  })
  const count = (plan.to - plan.from) / (plan.step * 1000)
  if (count > MAX_POINTS)
    throw new AppError(
      400,
      'TOO_MANY_POINTS',
      `${count} points of ${plan.step} s; at most ${MAX_POINTS}: use a longer step or a shorter range`,
    )
  const points = await source.points(ctx, { ...plan, now })
  return {
    name: source.definition.name,
    unit: source.definition.unit,
    stepSeconds: plan.step,
    points: points
      .sort((a, b) => a.at - b.at)
      .map((point) => ({ at: new Date(point.at).toISOString(), value: point.value })),
  }
}

/** When the metric last had data (any replica); null if never. Throws 400 for an unknown name. */
export async function lastSeenAt(ctx: AppContext, name: string): Promise<Date | null> {
  return sourceOf(name).lastSeen(ctx)
}
