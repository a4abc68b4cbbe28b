import { Cron } from 'croner'
import { DateTime } from 'luxon'
import { AppError } from '../../platform/http/errors.ts'

/**
 * Maintenance windows as pure data: one-off windows (two instants) and recurring ones (a cron
 * pattern read in the window's IANA time zone, plus a duration in real minutes), expanded into
 * occurrences. No database and no clock here: callers pass the time.
 *
 * DST rules (croner's fixed-time behaviour, pinned by `schedule.test.ts`):
 * - a start that falls in the hour skipped when clocks go forward moves to the moment the clocks
 *   jump to (02:00 or 02:30 on the spring-forward night in New York → 03:00 EDT);
 * - a start in the hour that repeats when clocks go back happens once, at the first (daylight)
 *   one (01:30 on the fall-back night → 01:30 EDT);
 * - the duration is elapsed time, so a window always lasts exactly that long even when it spans
 *   a change (its end on the wall clock is then an hour earlier or later).
 * Patterns with `*` or a step in the minute or hour field (`0 * * * *`) follow the clock instead:
 * times in the skipped hour do not happen and times in the repeated hour happen twice.
 */
export interface MaintenanceOccurrence {
  windowId: string
  title: string
  start: Date
  end: Date
  readOnly: boolean
  timezone: string
}

export type WindowSchedule =
  | { kind: 'once'; start: Date; end: Date }
  | {
      kind: 'recurring'
      cron: string
      durationMinutes: number
      /** Occurrences that end at or before this (the window's creation) do not exist. */
      from: Date
      /** Occurrences start before this, when set. */
      until: Date | null
    }

export interface WindowDefinition {
  id: string
  title: string
  timezone: string
  readOnly: boolean
  schedule: WindowSchedule
  /** No occurrence starts at or after this; one in progress then ends at it. */
  cancelledAt: Date | null
}

export interface TimeRange {
  from: Date
  to: Date
}

/** The longest window, one-off or each occurrence of a recurring one. */
export const MAX_WINDOW_MINUTES = 7 * 24 * 60
/** Occurrences listed per window in one range at most, so no pattern can stall a request. */
export const MAX_OCCURRENCES_PER_WINDOW = 2000
/** How far ahead a recurring pattern is checked when it is saved (a leap-year cycle). */
const CHECK_DAYS = 4 * 365 + 1
/** A recurring pattern may start at most this often: about once every 9 hours. */
export const MAX_STARTS_PER_YEAR = 1000

const MINUTE = 60_000

/** The canonical IANA name (`america/new_york` → `America/New_York`), or null when unknown. */
export function canonicalTimezone(name: string): string | null {
  // Names only: Intl would also take offsets such as "+02:00", which have no DST rules.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(name)) return null
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone
  } catch {
    return null
  }
}

const compiled = new Map<string, Cron>()

/**
 * A paused croner job for a five-field pattern in a zone (shared: croner keeps no state between
 * `nextRun` calls). Lists and ranges in the minute and hour fields count as fixed times too, so
 * `0 2,14 * * *` moves out of a DST gap like `0 2 * * *` does.
 */
function cronFor(pattern: string, timezone: string): Cron {
  const key = `${timezone} ${pattern}`
  let cron = compiled.get(key)
  if (!cron) {
    cron = new Cron(pattern, { timezone, paused: true, mode: '5-part', fixedTimeRule: 'no-wildcard' })
    if (compiled.size >= 500) compiled.clear()
    compiled.set(key, cron)
  }
  return cron
}

/** Throws a 400 `INVALID_CRON` naming what is wrong, else returns the compiled pattern. */
export function parseCron(pattern: string, timezone: string): Cron {
  try {
    return cronFor(pattern.trim(), timezone)
  } catch (error) {
    const reason = (error as Error).message.replace(/^CronPattern: /, '')
    throw new AppError(400, 'INVALID_CRON', `"${pattern}" is not a five-field cron pattern: ${reason}`)
  }
}

/** Occurrences of one window overlapping [from, to), ordered by start, at most `cap`. */
export function occurrencesOf(
  window: WindowDefinition,
  range: TimeRange,
  cap = MAX_OCCURRENCES_PER_WINDOW,
): MaintenanceOccurrence[] {
  const { schedule, cancelledAt } = window
  const to = Math.min(range.to.getTime(), cancelledAt?.getTime() ?? Number.POSITIVE_INFINITY)
  const from = range.from.getTime()
  const occurrence = (start: number, end: number): MaintenanceOccurrence => ({
    windowId: window.id,
    title: window.title,
    start: new Date(start),
    end: new Date(Math.min(end, cancelledAt?.getTime() ?? end)),
    readOnly: window.readOnly,
    timezone: window.timezone,
  })
  const overlaps = (o: MaintenanceOccurrence) => o.start.getTime() < to && o.end.getTime() > from
  if (schedule.kind === 'once') {
    const once = occurrence(schedule.start.getTime(), schedule.end.getTime())
    return overlaps(once) ? [once] : []
  }
  const duration = schedule.durationMinutes * MINUTE
  const last = Math.min(to, schedule.until?.getTime() ?? Number.POSITIVE_INFINITY)
  const cron = cronFor(schedule.cron, window.timezone)
  const found: MaintenanceOccurrence[] = []
  // Runs strictly after `cursor` start after from − duration, so they (uncancelled) end after `from`.
  let cursor = new Date(Math.max(from, schedule.from.getTime()) - duration)
  for (let runs = 0; runs < cap; runs++) {
    const next = cron.nextRun(cursor)
    if (!next || next.getTime() >= last) break
    const candidate = occurrence(next.getTime(), next.getTime() + duration)
    if (overlaps(candidate)) found.push(candidate) // not one cut short by a cancellation before `from`
    cursor = next
  }
  return found
}

/** Occurrences of every window overlapping [from, to), ordered by start (then window id). */
export function expand(windows: WindowDefinition[], range: TimeRange): MaintenanceOccurrence[] {
  return windows
    .flatMap((window) => occurrencesOf(window, range))
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.windowId.localeCompare(b.windowId))
}

/** A time as people in the zone read it, for messages: `2026-03-08 03:00 EDT`. */
export function localTime(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm ZZZZ')
}

const invalid = (code: string, message: string) => new AppError(400, code, message)

/**
 * Checks a definition before it is saved; `now` is when. One-off: ends after it starts, lasts
 * at most `MAX_WINDOW_MINUTES`, and (`requireFuture`) ends in the future. Recurring: a valid
 * five-field pattern that starts at least once, at most `MAX_STARTS_PER_YEAR` times a year, and
 * whose occurrences never overlap each other over the next four years (DST changes included).
 */
export function checkSchedule(
  schedule: WindowSchedule,
  timezone: string,
  now: Date,
  options: { requireFuture: boolean },
): void {
  if (schedule.kind === 'once') {
    const minutes = (schedule.end.getTime() - schedule.start.getTime()) / MINUTE
    if (minutes <= 0) throw invalid('INVALID_RANGE', 'The end must be after the start')
    if (minutes > MAX_WINDOW_MINUTES)
      throw invalid('WINDOW_TOO_LONG', `A window may last at most ${MAX_WINDOW_MINUTES / 1440} days`)
    if (options.requireFuture && schedule.end.getTime() <= now.getTime())
      throw invalid('INVALID_RANGE', 'The window is over already: its end must be in the future')
    return
  }
  if (schedule.durationMinutes < 1 || schedule.durationMinutes > MAX_WINDOW_MINUTES)
    throw invalid('WINDOW_TOO_LONG', `The duration must be 1 to ${MAX_WINDOW_MINUTES} minutes`)
  if (options.requireFuture && schedule.until && schedule.until.getTime() <= now.getTime())
    throw invalid('INVALID_RANGE', 'until must be in the future')
  const cron = parseCron(schedule.cron, timezone)
  const start = new Date(Math.max(now.getTime(), schedule.from.getTime()))
  const first = cron.nextRun(start)
  if (!first || (schedule.until && first >= schedule.until))
    throw invalid('INVALID_CRON', `"${schedule.cron}" never starts${schedule.until ? ' before until' : ''}`)
  const horizon = Math.min(
    start.getTime() + CHECK_DAYS * 1440 * MINUTE,
    schedule.until?.getTime() ?? Number.POSITIVE_INFINITY,
  )
  const duration = schedule.durationMinutes * MINUTE
  const yearEnd = start.getTime() + 365 * 1440 * MINUTE
  // Five-field patterns repeat every year, so the first year's count holds for the others.
  let startsInFirstYear = 1
  let previous = first
  for (;;) {
    const next = cron.nextRun(previous)
    if (!next || next.getTime() >= horizon) return
    if (next.getTime() < yearEnd && ++startsInFirstYear > MAX_STARTS_PER_YEAR)
      throw invalid(
        'TOO_FREQUENT',
        `"${schedule.cron}" starts more than ${MAX_STARTS_PER_YEAR} times a year; a maintenance window may recur at most about every 9 hours`,
      )
    if (next.getTime() - previous.getTime() < duration)
      throw invalid(
        'OVERLAPPING_OCCURRENCES',
        `Occurrences would overlap: the one starting ${localTime(previous, timezone)} lasts until ${localTime(
          new Date(previous.getTime() + duration),
          timezone,
        )}, after the next starts at ${localTime(next, timezone)}`,
      )
    previous = next
  }
}
