import { DateTime, IANAZone } from 'luxon'

/**
 * The time arithmetic of on-call, with no database: where a rotation's shifts begin and who
 * holds a tier at an instant once overrides are laid over the rotation.
 *
 * Shift `k` begins on the local date `startDate + k × shiftDays` at `handoffTime`, local time in
 * the schedule's zone, so a weekly Monday 09:00 Europe/London handoff is at 09:00Z in winter and
 * 08:00Z in summer, and the shifts spanning the changes last 167 and 169 hours (`localInstant`
 * says what happens to a handoff time the clocks skip or repeat).
 */

export interface RotationRule {
  /** IANA zone of the schedule, e.g. "Europe/London". */
  zone: string
  /** Local date of the first shift, "YYYY-MM-DD". */
  startDate: string
  /** Local handoff time, "HH:MM". */
  handoffTime: string
  shiftDays: number
}

export interface Shift {
  /** Shifts since the start; negative before the rotation begins. */
  index: number
  start: Date
  end: Date
}

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** The canonical name of an IANA time zone ("europe/london" → "Europe/London"), or null. */
export function canonicalZone(zone: string): string | null {
  if (!IANAZone.isValidZone(zone)) return null
  return new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone
}

/** True for a real calendar date written "YYYY-MM-DD". */
export function isLocalDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid
}

function dayNumber(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(year, month - 1, day) / DAY_MS
}

/**
 * The instant a local wall time happens in `zone`. A time the clocks repeat (going back) happens
 * the first time; a time they skip (going forward) happens at the moment they jump, as
 * maintenance windows do.
 */
export function localInstant(
  zone: string,
  wall: { year: number; month: number; day: number; hour: number; minute: number },
): Date {
  const z = IANAZone.create(zone)
  if (!z.isValid) throw new Error(`Unknown time zone ${zone}`)
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute)
  const before = z.offset(asUtc - DAY_MS)
  const after = z.offset(asUtc + DAY_MS)
  const candidates = [...new Set([before, z.offset(asUtc), after])]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((instant) => asUtc - z.offset(instant) * MINUTE_MS === instant)
  if (candidates.length > 0) return new Date(Math.min(...candidates))
  // Skipped: the transition lies between the wall time read with the offset after and before.
  let low = asUtc - after * MINUTE_MS
  let high = asUtc - before * MINUTE_MS
  while (high - low > MINUTE_MS) {
    const middle = Math.floor((low + high) / 2 / MINUTE_MS) * MINUTE_MS
    if (z.offset(middle) === after) high = middle
    else low = middle
  }
  return new Date(high)
}

/** The instant shift `index` begins. */
export function shiftStart(rule: RotationRule, index: number): Date {
  const day = new Date((dayNumber(rule.startDate) + index * rule.shiftDays) * DAY_MS)
  const [hour, minute] = rule.handoffTime.split(':').map(Number) as [number, number]
  return localInstant(rule.zone, {
    year: day.getUTCFullYear(),
    month: day.getUTCMonth() + 1,
    day: day.getUTCDate(),
    hour,
    minute,
  })
}

/** The shift holding `at`. */
export function shiftAt(rule: RotationRule, at: Date): Shift {
  const local = DateTime.fromJSDate(at, { zone: rule.zone })
  const today = Date.UTC(local.year, local.month - 1, local.day) / DAY_MS
  // A first guess from the local calendar date, corrected for the handoff time of day.
  let index = Math.floor((today - dayNumber(rule.startDate)) / rule.shiftDays)
  while (shiftStart(rule, index) > at) index--
  while (shiftStart(rule, index + 1) <= at) index++
  return { index, start: shiftStart(rule, index), end: shiftStart(rule, index + 1) }
}

export interface OverrideSpan {
  id: string
  contactId: string
  start: Date
  end: Date
  /** Creation order: among overrides covering an instant, the highest wins. */
  seq: number
}

/** One tier of one schedule: its rotation (if any) and the overrides that may matter. */
export interface TierPlan {
  rotation: (RotationRule & { participants: string[] }) | null
  overrides: OverrideSpan[]
}

export type HoldingSource = { kind: 'rotation'; shift: number } | { kind: 'override'; id: string } | null

export interface Holding {
  contactId: string | null
  source: HoldingSource
  /** When this holding ends: its shift or override ends, or an override takes over; null: never. */
  until: Date | null
}

/**
 * Who holds the tier at `at`. The latest created override covering `at` wins; otherwise the
 * rotation's participant for the shift (`participants[index mod n]`); before the rotation's
 * first shift, or without a rotation, nobody.
 */
export function holderAt(plan: TierPlan, at: Date): Holding {
  const t = at.getTime()
  const covering = plan.overrides
    .filter((o) => o.start.getTime() <= t && t < o.end.getTime())
    .sort((a, b) => b.seq - a.seq)[0]

  let contactId: string | null = null
  let source: HoldingSource = null
  let naturalEnd = Number.POSITIVE_INFINITY
  let beatenBy = (_override: OverrideSpan) => true
  if (covering) {
    contactId = covering.contactId
    source = { kind: 'override', id: covering.id }
    naturalEnd = covering.end.getTime()
    beatenBy = (o) => o.seq > covering.seq
  } else if (plan.rotation && plan.rotation.participants.length > 0) {
    const shift = shiftAt(plan.rotation, at)
    naturalEnd = shift.end.getTime()
    if (shift.index >= 0) {
      const n = plan.rotation.participants.length
      contactId = plan.rotation.participants[shift.index % n]!
      source = { kind: 'rotation', shift: shift.index }
    } else {
      // Before the first shift: nobody until the rotation starts.
      naturalEnd = shiftStart(plan.rotation, 0).getTime()
    }
  }
  // An override starting before the natural end, and winning over what holds now, cuts it short.
  let until = naturalEnd
  for (const o of plan.overrides) {
    const start = o.start.getTime()
    if (start > t && start < until && beatenBy(o)) until = start
  }
  return { contactId, source, until: Number.isFinite(until) ? new Date(until) : null }
}

export interface Segment {
  start: Date
  end: Date
  contactId: string | null
  source: HoldingSource
}

/** Who holds the tier over [from, to): consecutive holdings, the first and last cut to the window. */
export function timeline(plan: TierPlan, from: Date, to: Date): Segment[] {
  const segments: Segment[] = []
  let at = from
  while (at < to) {
    const holding = holderAt(plan, at)
    const end = holding.until && holding.until < to ? holding.until : to
    segments.push({ start: at, end, contactId: holding.contactId, source: holding.source })
    at = end
  }
  return segments
}
