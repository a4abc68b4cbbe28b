/**
 * Overall equipment effectiveness (SPEC §3): availability × performance × quality, from times and
 * counts. Lines and the plant roll up by summing times and counts first, never by averaging ratios.
 */

export interface OeeInput {
  /** Planned production time, in minutes. */
  plannedMinutes: number
  /** Unplanned stops within the planned time, in minutes. */
  downtimeMinutes: number
  /** Ideal minutes per unit at rated speed (see `cycleMinutesFromRate`). */
  idealCycleMinutes: number
  totalCount: number
  goodCount: number
}

export interface Oee {
  availability: number | null
  performance: number | null
  quality: number | null
  oee: number | null
}

/** Ideal cycle time from an ideal rate in units per minute. */
export function cycleMinutesFromRate(unitsPerMinute: number): number {
  if (!(Number.isFinite(unitsPerMinute) && unitsPerMinute > 0)) {
    throw new RangeError(`ideal rate must be a number > 0, got ${unitsPerMinute}`)
  }
  return 1 / unitsPerMinute
}

function requireNonNegative(name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${name} must be a number ≥ 0, got ${value}`)
}

function validate(batch: OeeInput): void {
  requireNonNegative('plannedMinutes', batch.plannedMinutes)
  requireNonNegative('downtimeMinutes', batch.downtimeMinutes)
  requireNonNegative('totalCount', batch.totalCount)
  requireNonNegative('goodCount', batch.goodCount)
  if (!(Number.isFinite(batch.idealCycleMinutes) && batch.idealCycleMinutes > 0)) {
    throw new RangeError(`idealCycleMinutes must be a number > 0, got ${batch.idealCycleMinutes}`)
  }
  if (batch.downtimeMinutes > batch.plannedMinutes) {
    throw new RangeError(`downtime (${batch.downtimeMinutes}) exceeds planned time (${batch.plannedMinutes})`)
  }
  if (batch.goodCount > batch.totalCount) {
    throw new RangeError(`good count (${batch.goodCount}) exceeds total count (${batch.totalCount})`)
  }
}

interface Totals {
  plannedMinutes: number
  runMinutes: number
  /** Σ ideal cycle × total count: the time the output would have taken at rated speed. */
  idealMinutes: number
  totalCount: number
  goodCount: number
}

/**
 * A = run / planned, P = ideal time / run, Q = good / total; each null when its denominator is 0.
 * OEE = A·P·Q, except that time planned but never turned into output is OEE 0 (A or P is 0), so the
 * OEE is null only when nothing was planned. P above 1 is kept: it means the ideal cycle is set too slow.
 */
function fromTotals(totals: Totals): Oee {
  const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole)
  const availability = ratio(totals.runMinutes, totals.plannedMinutes)
  const performance = ratio(totals.idealMinutes, totals.runMinutes)
  const quality = ratio(totals.goodCount, totals.totalCount)
  let oee: number | null = null
  if (availability === 0 || performance === 0) oee = 0
  else if (availability !== null && performance !== null && quality !== null) {
    oee = availability * performance * quality
  }
  return { availability, performance, quality, oee }
}

/** OEE of one batch or one line over one period. */
export function oee(batch: OeeInput): Oee {
  return rollUp([batch])
}

/** OEE of a line (its batches) or of the plant (every line's batches): times and counts summed, then divided. */
export function rollUp(batches: readonly OeeInput[]): Oee {
  const totals: Totals = { plannedMinutes: 0, runMinutes: 0, idealMinutes: 0, totalCount: 0, goodCount: 0 }
  for (const batch of batches) {
    validate(batch)
    totals.plannedMinutes += batch.plannedMinutes
    totals.runMinutes += batch.plannedMinutes - batch.downtimeMinutes
    totals.idealMinutes += batch.idealCycleMinutes * batch.totalCount
    totals.totalCount += batch.totalCount
    totals.goodCount += batch.goodCount
  }
  return fromTotals(totals)
}
