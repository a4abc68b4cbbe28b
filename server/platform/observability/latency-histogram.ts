/**
 * A fixed log-scale histogram of durations (±2.5% relative error) that merges by addition,
 * so rolling windows can be summed and percentiles read without keeping every sample.
 */
const GROWTH = 1.05
const MIN_MS = 0.01
const BUCKETS = Math.ceil(Math.log(600_000 / MIN_MS) / Math.log(GROWTH)) + 1

export class LatencyHistogram {
  readonly counts = new Uint32Array(BUCKETS)
  total = 0

  record(ms: number): void {
    this.counts[bucketOf(ms)]! += 1
    this.total += 1
  }

  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!
    this.total += other.total
  }

  /** The q-quantile (0 < q ≤ 1) in ms, or null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null
    const rank = Math.max(1, Math.ceil(q * this.total))
    let seen = 0
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return Math.round(bucketValue(i) * 100) / 100
    }
    return Math.round(bucketValue(BUCKETS - 1) * 100) / 100
  }
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0
  return Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / Math.log(GROWTH)))
}

/** The representative value of a bucket: the geometric middle of its bounds. */
function bucketValue(bucket: number): number {
  if (bucket === 0) return MIN_MS
  return MIN_MS * GROWTH ** (bucket - 0.5)
}
