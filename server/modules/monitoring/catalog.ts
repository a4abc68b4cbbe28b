import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import { drillFailed, drillRtoExcessSeconds, rpoExcessSeconds } from '../backups/metrics.ts'
import { deploymentRegressions } from '../deployments/metric.ts'
import { BASE_CURRENCY } from '../finance/fx.ts'
import { postmortemActionsOverdue, securityStepsOverdue } from '../incidents/overdue.ts'
import { responseOverdueCount } from '../incidents/sla.ts'
import {
  activeUsers,
  conversionRate,
  criticalItemCount,
  type HourlyRange,
  lastOrderAt,
  lastSessionsHour,
  ordersPerHour,
} from './business.ts'
import { type BucketTotal, bucketTotals, lastStoredAt, type Resolution, STORED } from './store.ts'
import { uptimeBuckets } from './uptime.ts'

export interface MetricDefinition {
  name: string
  unit: string
  description: string
  kind: 'system' | 'business'
}

export interface BucketRange extends HourlyRange {
  resolution: Resolution
}

/**
 * Where a metric's numbers come from. `sampled` metrics are read from the stored series at the
 * resolution the step allows; `hourly` ones from a business rollup by the hour (kept forever).
 */
export interface MetricSource {
  definition: MetricDefinition
  storage: 'sampled' | 'hourly'
  points(ctx: AppContext, range: BucketRange): Promise<{ at: number; value: number }[]>
  lastSeen(ctx: AppContext): Promise<Date | null>
}

/** Business figures the sampler measures once a minute, once across replicas, and stores. */
export const clusterSamplers: Record<string, (ctx: AppContext) => Promise<number>> = {
  active_users: activeUsers,
  critical_inventory_items: criticalItemCount,
  deployment_regressions: deploymentRegressions,
  incidents_response_overdue: responseOverdueCount,
  postmortem_actions_overdue: postmortemActionsOverdue,
  security_steps_overdue: securityStepsOverdue,
  backup_rpo_excess_seconds: rpoExcessSeconds,
  backup_drill_failed: drillFailed,
  backup_drill_rto_excess_seconds: drillRtoExcessSeconds,
}

type Point = { at: number; value: number }

function byBucket(rows: BucketTotal[]): Map<number, BucketTotal[]> {
  const buckets = new Map<number, BucketTotal[]>()
  for (const row of rows) {
    const list = buckets.get(row.at) ?? []
    list.push(row)
    buckets.set(row.at, list)
  }
  return buckets
}

const total = (rows: BucketTotal[], name: string) =>
  rows.reduce((sum, row) => (row.name === name ? sum + row.sum : sum), 0)

const has = (rows: BucketTotal[], name: string) => rows.some((row) => row.name === name)

/**
 * A gauge: each replica's mean over the bucket, then the worst (highest) replica. Cluster-wide
 * series have one "replica", so this is their mean.
 */
function worstReplica(definition: MetricDefinition, digits = 2): MetricSource {
  return {
    definition,
    storage: 'sampled',
    async points(ctx, range) {
      const points: Point[] = []
      for (const [at, rows] of byBucket(await bucketTotals(ctx, [definition.name], range))) {
        points.push({ at, value: round(Math.max(...rows.map((row) => row.sum / row.count)), digits) })
      }
      return points
    },
    lastSeen: (ctx) => lastStoredAt(ctx, [definition.name]),
  }
}

/**
 * A share in % of counted responses, all replicas together (so weighted by their requests):
 * 100 × part / whole, or its complement. Absent in buckets without any of the counted responses.
 */
function share(definition: MetricDefinition, part: string, whole: string, complement: boolean): MetricSource {
  return {
    definition,
    storage: 'sampled',
    async points(ctx, range) {
      const points: Point[] = []
      for (const [at, rows] of byBucket(await bucketTotals(ctx, [part, whole], range))) {
        const all = total(rows, whole)
        if (!has(rows, part) || all === 0) continue
        const percent = (100 * total(rows, part)) / all
        points.push({ at, value: round(complement ? 100 - percent : percent, 4) })
      }
      return points
    },
    // The part is stored only for samples with responses: when the share last had a value.
    lastSeen: (ctx) => lastStoredAt(ctx, [part]),
  }
}

/** Responses per second of all replicas: their responses over the seconds sampled in the bucket. */
const requestRate: MetricSource = {
  definition: {
    name: 'request_rate',
    unit: 'req/s',
    description: 'HTTP responses per second, all replicas together.',
    kind: 'system',
  },
  storage: 'sampled',
  async points(ctx, range) {
    const points: Point[] = []
    for (const [at, rows] of byBucket(await bucketTotals(ctx, [STORED.requests, STORED.coverage], range))) {
      const seconds = total(rows, STORED.coverage)
      if (!has(rows, STORED.requests) || seconds === 0) continue
      points.push({ at, value: round(total(rows, STORED.requests) / seconds, 4) })
    }
    return points
  },
  lastSeen: (ctx) => lastStoredAt(ctx, [STORED.requests]),
}

const uptime: MetricSource = {
  definition: {
    name: 'uptime_percent',
    unit: '%',
    description:
      'Share of the bucket in sampling slots that at least one replica sampled; unsampled time (a process down, hung or unable to write) counts as down, time before the first sample is not counted.',
    kind: 'system',
  },
  storage: 'sampled',
  points: uptimeBuckets,
  lastSeen: (ctx) => lastStoredAt(ctx, [STORED.coverage]),
}

function hourly(
  definition: MetricDefinition,
  points: MetricSource['points'],
  lastSeen: MetricSource['lastSeen'],
): MetricSource {
  return { definition, storage: 'hourly', points, lastSeen }
}

const system = (name: string, unit: string, description: string): MetricDefinition => ({
  name,
  unit,
  description,
  kind: 'system',
})
const business = (name: string, unit: string, description: string): MetricDefinition => ({
  name,
  unit,
  description,
  kind: 'business',
})

const latency = (name: string, percentile: string) =>
  worstReplica(
    system(
      name,
      'ms',
      `${percentile} response time per sampling interval (the mean of a bucket's intervals); the worst replica. Absent without requests.`,
    ),
  )

/** Every metric readSeries accepts, in the order the catalog lists them. */
export const sources: Record<string, MetricSource> = Object.fromEntries(
  [
    worstReplica(system('cpu_percent', '%', 'Host CPU busy, all cores; the worst replica.')),
    worstReplica(
      system(
        'memory_percent',
        '%',
        "Memory in use: the process's resident memory against its container's limit when it has one, else the host's used memory; the worst replica.",
      ),
    ),
    worstReplica(
      system('disk_percent', '%', 'Used space of the volume holding DATA_DIR; the worst replica.'),
    ),
    worstReplica(
      system(
        'event_loop_lag_ms',
        'ms',
        '99th percentile event-loop delay per sampling interval; the worst replica.',
      ),
    ),
    requestRate,
    share(
      system(
        'error_rate',
        '%',
        'Share of HTTP responses that are 5xx, all replicas together. Absent without requests.',
      ),
      STORED.errors,
      STORED.requests,
      false,
    ),
    latency('response_time_p50_ms', 'Median'),
    latency('response_time_p95_ms', '95th percentile'),
    latency('response_time_p99_ms', '99th percentile'),
    uptime,
    worstReplica(
      system(
        'deployment_regressions',
        'deployments',
        'Deployments of this environment in the last 24 hours that the regression check flagged and that are still the current release (sampled once a minute).',
      ),
      4,
    ),
    share(
      business(
        'api_success_rate',
        '%',
        'Share of /api responses that are not 5xx, all replicas together. Absent without API requests.',
      ),
      STORED.apiErrors,
      STORED.apiRequests,
      true,
    ),
    hourly(
      business(
        'revenue_per_hour',
        `${BASE_CURRENCY}/h`,
        `Order value in ${BASE_CURRENCY} per hour (hourly orders rollup, without cancelled and refunded orders); an hour without orders is 0.`,
      ),
      (ctx, range) => ordersPerHour(ctx, range, 'revenue'),
      lastOrderAt,
    ),
    hourly(
      business(
        'orders_per_hour',
        'orders/h',
        'Orders per hour (hourly orders rollup); an hour without orders is 0.',
      ),
      (ctx, range) => ordersPerHour(ctx, range, 'orders'),
      lastOrderAt,
    ),
    hourly(
      business(
        'conversion_rate',
        '%',
        "Storefront orders per storefront session over the 24 hours ending at the bucket's end (the bucket, when longer).",
      ),
      conversionRate,
      lastSessionsHour,
    ),
    worstReplica(
      business(
        'active_users',
        'users',
        'Distinct signed-in users whose session was used in the last 15 minutes (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      business(
        'critical_inventory_items',
        'items',
        'SKU × location items below safety stock or running out within their lead time (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      business(
        'incidents_response_overdue',
        'incidents',
        'Open incidents not acknowledged by their lead within their severity’s response time (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      business(
        'postmortem_actions_overdue',
        'items',
        'Open post-mortem action items whose due date (UTC) has passed (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      business(
        'security_steps_overdue',
        'steps',
        'Data-breach checklist steps of security incidents not done by their deadline, resolved incidents included (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      system(
        'backup_rpo_excess_seconds',
        's',
        'Seconds the newest verified backup is older than RPO_OBJECTIVE, 0 within it; with no verified backup, counted from the first backup attempt (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      system(
        'backup_drill_failed',
        'drills',
        '1 when the latest recovery drill failed, else 0 (sampled once a minute).',
      ),
      4,
    ),
    worstReplica(
      system(
        'backup_drill_rto_excess_seconds',
        's',
        "Seconds the latest recovery drill's measured RTO is over RTO_OBJECTIVE, 0 within it (sampled once a minute).",
      ),
      4,
    ),
  ].map((source) => [source.definition.name, source]),
)

export const metricCatalog: MetricDefinition[] = Object.values(sources).map((source) => source.definition)
