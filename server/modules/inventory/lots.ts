/** What is left of each lot at one SKU × location: a pure calculation over the ledger's sums. */

export interface LotBalance {
  lot: string
  /** Sum of the location's movements carrying this lot: in (receipt, output, transfer in) less lotted outs. */
  net: number
  /** YYYY-MM-DD, or null when no movement of the lot states one. */
  expiresOn: string | null
  /** The lot's first movement at the location. */
  firstAt: Date
}

export interface LotRemaining {
  lot: string
  expiresOn: string | null
  remaining: number
}

/**
 * Sales, and other movements that name no lot, do not say which lot they took. They are taken
 * to take the oldest stock first (first in, first out), so what the location has on hand is what
 * arrived last: its on-hand stock is given to its lots from the latest to arrive (their first
 * movement there) back, each up to what it holds (between lots that arrived together, the one
 * expiring later keeps its stock). A sale is never charged to a lot that arrived after it. On hand
 * beyond the lots' sum is stock without a lot; a lot whose lotted outs exceed its ins holds nothing.
 *
 * Example: lot A (40, arrived in January) and lot B (60, arrived in February), 70 on hand: the 30
 * that went were A's oldest, so A has 10 and B 60.
 */
export function remainingByLot(onHand: number, lots: readonly LotBalance[]): LotRemaining[] {
  const held = lots.filter((lot) => lot.net > 0)
  const latestFirst = [...held].sort(
    (a, b) =>
      b.firstAt.getTime() - a.firstAt.getTime() ||
      (b.expiresOn ?? '9999-12-31').localeCompare(a.expiresOn ?? '9999-12-31') ||
      a.lot.localeCompare(b.lot),
  )
  let left = Math.max(onHand, 0)
  const remaining = latestFirst.map((lot) => {
    const kept = Math.min(left, lot.net)
    left -= kept
    return { lot: lot.lot, expiresOn: lot.expiresOn, remaining: kept }
  })
  return remaining.reverse()
}

const DAY_MS = 86_400_000

/** Whole days from `today` to `day` (both YYYY-MM-DD, UTC); negative once it has passed. */
export function daysBetween(today: string, day: string): number {
  return Math.round((Date.parse(`${day}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / DAY_MS)
}
