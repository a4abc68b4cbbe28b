import type { AppContext } from '../../context.ts'
import { type BucketTotal, bucketTotals, type Resolution, resolutions, STORED } from '../monitoring/store.ts'
import type { WindowTraffic } from './regression.ts'

/**
 * A window's traffic from the samples the monitoring sampler stores: every replica stores, per
 * sampling slot, its responses (`http_requests`), the 5xx among them (`http_errors`) and the
 * p95 of their response times (`response_time_p95_ms`). Requests and errors are summed over the
 * window and the replicas. A window's true p95 cannot be rebuilt from per-sample p95s (the
 * histograms are not stored), so it is their mean weighted by each sample's responses: a busy
 * slot counts for its traffic, and a single slow request in a quiet slot cannot decide it as it
 * would with the maximum. With steady latency over the window it is the true p95.
 */

const P95 = 'response_time_p95_ms'
const NAMES = [STORED.requests, STORED.errors, P95]

export interface ReadWindow {
  traffic: WindowTraffic
  /** The stored resolution read: raw samples, or minute rollups once the raw ones are deleted. */
  resolution: 'raw' | 'minute'
}

/**
 * The finest resolution still kept for `from`: raw samples (48 hours by default), else minute
 * rollups (14 days); null when neither is (the deployment is too old to judge).
 */
export function resolutionFor(ctx: AppContext, from: number, now: number): Resolution | null {
  const [raw, minute] = resolutions(ctx.config.monitoring)
  if (raw && raw.keptMs !== null && from >= now - raw.keptMs) return raw
  if (minute && minute.keptMs !== null && from >= now - minute.keptMs) return minute
  return null
}

/**
 * Responses, 5xx and the weighted p95 of [from, to) at one resolution: raw samples whose time
 * is in the window, or minute buckets that start in it. Samples are paired with their responses
 * by replica and slot (or minute).
 */
export async function readWindow(
  ctx: AppContext,
  window: { from: number; to: number },
  resolution: Resolution,
): Promise<ReadWindow> {
  const rows = await bucketTotals(ctx, NAMES, {
    from: window.from,
    to: window.to,
    step: resolution.seconds,
    resolution,
  })
  return { traffic: sumWindow(rows), resolution: resolution.name === 'raw' ? 'raw' : 'minute' }
}

/** Sums per-slot totals into one window (exported for its test). */
export function sumWindow(rows: BucketTotal[]): WindowTraffic {
  const requestsAt = new Map<string, number>()
  let requests = 0
  let errors = 0
  for (const row of rows) {
    if (row.name === STORED.requests) {
      requests += row.sum
      requestsAt.set(`${row.instanceId}|${row.at}`, row.sum)
    } else if (row.name === STORED.errors) errors += row.sum
  }
  let weight = 0
  let weighted = 0
  for (const row of rows) {
    if (row.name !== P95 || row.count === 0) continue
    const served = requestsAt.get(`${row.instanceId}|${row.at}`) ?? 0
    if (served <= 0) continue
    weight += served
    weighted += (row.sum / row.count) * served
  }
  return { requests, errors, p95Ms: weight > 0 ? weighted / weight : null }
}
