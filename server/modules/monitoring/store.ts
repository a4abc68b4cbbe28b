import { sql } from 'kysely'
import type { MonitoringSettings } from '../../config.ts'
import type { AppContext } from '../../context.ts'

/**
 * The stored series: raw samples and their rollups per minute, hour and day, written together in
 * one statement so every resolution is always current. Only this file talks SQL to the metric
 * tables.
 */

/** The instance id of cluster-wide series (sampling coverage, business figures). */
export const CLUSTER = '*'

/** Stored series that are not catalog metrics themselves; catalog metrics are derived from them. */
export const STORED = {
  /** One row per sampling slot that any replica sampled; the value is the slot's length in seconds. */
  coverage: 'sampler_coverage',
  /** HTTP responses in the interval (always stored, 0 included). */
  requests: 'http_requests',
  /** 5xx responses in the interval (stored only when there were responses). */
  errors: 'http_errors',
  /** Responses to /api paths and the 5xx among them (stored only when there were some). */
  apiRequests: 'api_requests',
  apiErrors: 'api_errors',
} as const

/** The slot length when the sampler's timer is off (SAMPLER_INTERVAL_SECONDS=0) and tests sample by hand. */
export const DEFAULT_SLOT_SECONDS = 10

export const slotSeconds = (settings: MonitoringSettings) =>
  settings.samplerIntervalSeconds || DEFAULT_SLOT_SECONDS

export type ResolutionName = 'raw' | 'minute' | 'hour' | 'day'
type MetricTable = 'metric_samples' | 'metric_minutes' | 'metric_hours' | 'metric_days'

export interface Resolution {
  name: ResolutionName
  table: MetricTable
  /** Bucket length; for raw samples the sampling slot. */
  seconds: number
  /** How long its rows are kept; null: forever. */
  keptMs: number | null
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** The stored resolutions, finest first, with their retention. */
export function resolutions(settings: MonitoringSettings): Resolution[] {
  return [
    {
      name: 'raw',
      table: 'metric_samples',
      seconds: slotSeconds(settings),
      keptMs: settings.rawRetentionHours * HOUR_MS,
    },
    { name: 'minute', table: 'metric_minutes', seconds: 60, keptMs: settings.minuteRetentionDays * DAY_MS },
    { name: 'hour', table: 'metric_hours', seconds: 3600, keptMs: settings.hourRetentionDays * DAY_MS },
    { name: 'day', table: 'metric_days', seconds: 86_400, keptMs: null },
  ]
}

export const floorTo = (ms: number, seconds: number) => Math.floor(ms / (seconds * 1000)) * seconds * 1000
export const ceilTo = (ms: number, seconds: number) => Math.ceil(ms / (seconds * 1000)) * seconds * 1000

export interface SampleRow {
  name: string
  instanceId: string
  at: Date
  value: number
}

/**
 * Stores samples and adds them to the minute, hour and day rollups: one statement of
 * data-modifying CTEs. A sample already stored (same name, replica and time) is skipped with its
 * rollups, so a coverage slot another replica wrote first counts once.
 */
export async function writeSamples(ctx: AppContext, rows: SampleRow[]): Promise<void> {
  if (rows.length === 0) return
  const values = rows.map(
    (row) =>
      sql`(${row.name}::text, ${row.instanceId}::text, ${row.at}::timestamptz, ${row.value}::float8,
        ${new Date(floorTo(row.at.getTime(), 60))}::timestamptz,
        ${new Date(floorTo(row.at.getTime(), 3600))}::timestamptz,
        ${new Date(floorTo(row.at.getTime(), 86_400))}::timestamptz)`,
  )
  await sql`
    with input (name, instance_id, at, value, minute, hour, day) as (values ${sql.join(values)}),
    raw as (
      insert into metric_samples (name, instance_id, at, value)
      select name, instance_id, at, value from input
      on conflict do nothing
      returning name, instance_id, at
    ),
    kept as (select input.* from input join raw using (name, instance_id, at)),
    minutes as (${addToRollup('metric_minutes', 'minute')}),
    hours as (${addToRollup('metric_hours', 'hour')})
    ${addToRollup('metric_days', 'day')}`.execute(ctx.db)
}

function addToRollup(table: MetricTable, bucket: 'minute' | 'hour' | 'day') {
  return sql`
    insert into ${sql.table(table)} as r (name, instance_id, bucket, count, sum, min, max, first_at, last_at)
    select name, instance_id, ${sql.ref(bucket)}, count(*), sum(value), min(value), max(value), min(at), max(at)
    from kept group by name, instance_id, ${sql.ref(bucket)}
    on conflict (name, bucket, instance_id) do update set
      count = r.count + excluded.count,
      sum = r.sum + excluded.sum,
      min = least(r.min, excluded.min),
      max = greatest(r.max, excluded.max),
      first_at = least(r.first_at, excluded.first_at),
      last_at = greatest(r.last_at, excluded.last_at)`
}

/**
 * Claims a cluster-wide series for a minute: true for exactly one caller per name and minute,
 * however many replicas ask (a conditional upsert on one row; a second asker waits for the
 * first's row lock and then finds the minute taken).
 */
export async function claimMinute(ctx: AppContext, name: string, minute: Date): Promise<boolean> {
  const claimed = await ctx.db
    .insertInto('metric_claims')
    .values({ name, minute, instance_id: ctx.instanceId })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ minute, instance_id: ctx.instanceId })
        .where('metric_claims.minute', '<', minute),
    )
    .returning('name')
    .executeTakeFirst()
  return claimed !== undefined
}

export interface BucketTotal {
  /** Start of the step bucket, ms since the epoch. */
  at: number
  name: string
  instanceId: string
  /** Samples in the bucket and their sum. */
  count: number
  sum: number
}

/**
 * Samples per step bucket, stored name and replica, read from one resolution. Buckets are
 * aligned to multiples of the step since the epoch; `step` must be a multiple of the
 * resolution's bucket, so raw and rollups give the same totals.
 */
export async function bucketTotals(
  ctx: AppContext,
  names: readonly string[],
  range: { from: number; to: number; step: number; resolution: Resolution },
): Promise<BucketTotal[]> {
  const raw = range.resolution.name === 'raw'
  const time = sql.ref(raw ? 'at' : 'bucket')
  const count = raw ? sql`count(*)` : sql`sum(count)`
  const sum = raw ? sql`sum(value)` : sql`sum(sum)`
  const result = await sql<{ slot: number; name: string; instance_id: string; count: number; sum: number }>`
    select floor(extract(epoch from ${time}) / ${range.step})::float8 as slot, name, instance_id,
      ${count}::float8 as count, ${sum}::float8 as sum
    from ${sql.table(range.resolution.table)}
    where name in (${sql.join(names)}) and ${time} >= ${new Date(range.from)} and ${time} < ${new Date(range.to)}
    group by 1, 2, 3
    order by 1`.execute(ctx.db)
  return result.rows.map((row) => ({
    at: row.slot * range.step * 1000,
    name: row.name,
    instanceId: row.instance_id,
    count: row.count,
    sum: row.sum,
  }))
}

/** Stored rows of a cluster-wide series overlapping [from, to) at one resolution: bucket start and sum. */
export async function clusterBuckets(
  ctx: AppContext,
  name: string,
  pieces: { resolution: Resolution; from: number; to: number }[],
): Promise<{ piece: number; at: number; sum: number }[]> {
  if (pieces.length === 0) return []
  const selects = pieces.map((piece, index) => {
    const raw = piece.resolution.name === 'raw'
    const time = sql.ref(raw ? 'at' : 'bucket')
    return sql`select ${index}::int as piece, (extract(epoch from ${time}) * 1000)::float8 as at,
        ${sql.ref(raw ? 'value' : 'sum')}::float8 as sum
      from ${sql.table(piece.resolution.table)}
      where name = ${name} and instance_id = ${CLUSTER}
        and ${time} > ${new Date(piece.from - piece.resolution.seconds * 1000)} and ${time} < ${new Date(piece.to)}`
  })
  const result = await sql<{
    piece: number
    at: number
    sum: number
  }>`${sql.join(selects, sql` union all `)}`.execute(ctx.db)
  return result.rows
}

/**
 * The newest sample time of any of these stored series (any replica), from the day rollups:
 * they are kept forever and updated with every sample, and the newest day holds the answer.
 */
export async function lastStoredAt(ctx: AppContext, names: readonly string[]): Promise<Date | null> {
  const row = await sql<{ last: Date | null }>`
    select max(last_at) as last from metric_days
    where name in (${sql.join(names)})
      and bucket = (select max(bucket) from metric_days where name in (${sql.join(names)}))`.execute(ctx.db)
  const last = row.rows[0]?.last
  return last ? new Date(last) : null
}

/** The oldest sample time of a stored series, from the day rollups (kept forever). */
export async function firstStoredAt(ctx: AppContext, name: string): Promise<Date | null> {
  const row = await sql<{ first: Date | null }>`
    select min(first_at) as first from metric_days
    where name = ${name} and bucket = (select min(bucket) from metric_days where name = ${name})`.execute(
    ctx.db,
  )
  const first = row.rows[0]?.first
  return first ? new Date(first) : null
}

export interface Pruned {
  samples: number
  minutes: number
  hours: number
}

/** Deletes raw samples, minute and hour rollups that started before their retention (day rollups stay). */
export async function pruneMetrics(ctx: AppContext, now: number): Promise<Pruned> {
  const [raw, minute, hour] = resolutions(ctx.config.monitoring)
  const samples = await ctx.db
    .deleteFrom('metric_samples')
    .where('at', '<', new Date(now - raw!.keptMs!))
    .executeTakeFirst()
  const minutes = await ctx.db
    .deleteFrom('metric_minutes')
    .where('bucket', '<', new Date(now - minute!.keptMs!))
    .executeTakeFirst()
  const hours = await ctx.db
    .deleteFrom('metric_hours')
    .where('bucket', '<', new Date(now - hour!.keptMs!))
    .executeTakeFirst()
  return {
    samples: Number(samples.numDeletedRows),
    minutes: Number(minutes.numDeletedRows),
    hours: Number(hours.numDeletedRows),
  }
}
