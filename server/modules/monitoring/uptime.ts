import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import {
  bucketTotals,
  ceilTo,
  clusterBuckets,
  firstStoredAt,
  floorTo,
  lastStoredAt,
  type Resolution,
  resolutions,
  STORED,
  slotSeconds,
} from './store.ts'

/**
 * Uptime from sampling coverage. Time is cut into slots of SAMPLER_INTERVAL_SECONDS; a slot in
 * which at least one replica stored a sample is up, any other slot is down, so a crash, a hang
 * or a database the sampler cannot write to all lower it. Time before the first sample ever is
 * not counted, nor is the current slot until it has been sampled.
 */

/** The end of the time that can be judged: the current slot counts once it has been sampled. */
async function judgedUntil(ctx: AppContext, now: number): Promise<number> {
  const seconds = slotSeconds(ctx.config.monitoring)
  const slot = floorTo(now, seconds)
  const last = await lastStoredAt(ctx, [STORED.coverage])
  return last && last.getTime() >= slot ? slot + seconds * 1000 : slot
}

export async function uptimePercent(
  ctx: AppContext,
  range: { from: Date; to: Date },
): Promise<number | null> {
  const first = await firstStoredAt(ctx, STORED.coverage)
  if (!first) return null
  const from = Math.max(range.from.getTime(), first.getTime())
  const to = Math.min(range.to.getTime(), await judgedUntil(ctx, ctx.clock.ms()))
  if (to <= from) return null
  const covered = await coveredSeconds(ctx, from, to)
  return Math.min(100, round((100 * covered) / ((to - from) / 1000), 4))
}

export interface Piece {
  resolution: Resolution
  from: number
  to: number
}

/**
 * Cuts [from, to) into pieces read from the coarsest rollup that fits whole buckets: whole days
 * from the day rollups, the hours at either end from the hour rollups, then minutes, then raw
 * slots, so a 30-day range reads about 30 + 2×24 + 2×60 + 2×6 rows, never every slot. A piece
 * whose finer rows are past their retention is read from the next coarser resolution kept, its
 * edge bucket prorated.
 */
export function coveragePieces(from: number, to: number, available: Resolution[], now: number): Piece[] {
  const coarseFirst = [...available].reverse()
  const cut = (a: number, b: number, level: number): Piece[] => {
    if (a >= b) return []
    const resolution = coarseFirst[level]!
    if (level === coarseFirst.length - 1) return [{ resolution, from: a, to: b }]
    const start = ceilTo(a, resolution.seconds)
    const end = floorTo(b, resolution.seconds)
    if (start >= end) return cut(a, b, level + 1)
    return [...cut(a, start, level + 1), { resolution, from: start, to: end }, ...cut(end, b, level + 1)]
  }
  return cut(from, to, 0).map((piece) => ({ ...piece, resolution: keptFor(piece, available, now) }))
}

/** The piece's resolution, or the finest coarser one whose rows for the piece are still kept. */
function keptFor(piece: Piece, available: Resolution[], now: number): Resolution {
  const index = available.indexOf(piece.resolution)
  return (
    available.slice(index).find((r) => r.keptMs === null || piece.from >= now - r.keptMs) ?? available.at(-1)!
  )
}

/** Seconds of [from, to) in sampled slots. */
export async function coveredSeconds(ctx: AppContext, from: number, to: number): Promise<number> {
  const pieces = coveragePieces(from, to, resolutions(ctx.config.monitoring), ctx.clock.ms())
  const rows = await clusterBuckets(ctx, STORED.coverage, pieces)
  let covered = 0
  for (const row of rows) {
    const piece = pieces[row.piece]!
    const length = piece.resolution.seconds * 1000
    const overlap = Math.min(row.at + length, piece.to) - Math.max(row.at, piece.from)
    if (overlap > 0) covered += row.sum * (overlap / length)
  }
  return covered
}

/**
 * Uptime per bucket: covered seconds over the bucket's judged length. A bucket with no sample
 * from any replica is 0% (the time was down, which is data); buckets before the first sample
 * ever or not yet judged are absent.
 */
export async function uptimeBuckets(
  ctx: AppContext,
  range: { from: number; to: number; step: number; resolution: Resolution; now: number },
): Promise<{ at: number; value: number }[]> {
  const first = await firstStoredAt(ctx, STORED.coverage)
  if (!first) return []
  const until = await judgedUntil(ctx, range.now)
  const totals = await bucketTotals(ctx, [STORED.coverage], range)
  const covered = new Map(totals.map((row) => [row.at, row.sum]))
  const points: { at: number; value: number }[] = []
  for (let at = range.from; at < range.to; at += range.step * 1000) {
    const judged = Math.min(at + range.step * 1000, until) - Math.max(at, first.getTime())
    if (judged <= 0) continue
    const seconds = covered.get(at) ?? 0
    points.push({ at, value: Math.min(100, round((100 * seconds) / (judged / 1000), 4)) })
  }
  return points
}
