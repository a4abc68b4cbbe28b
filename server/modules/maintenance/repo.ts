import type { Selectable } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import type { MaintenanceWindowsTable } from '../../platform/db/schema.ts'
import { MAX_WINDOW_MINUTES, type TimeRange, type WindowDefinition } from './schedule.ts'

export type WindowRow = Selectable<MaintenanceWindowsTable>

const LONGEST_MS = MAX_WINDOW_MINUTES * 60_000

const date = (value: Date | string) => new Date(value)
const optionalDate = (value: Date | string | null) => (value === null ? null : new Date(value))

/** A stored window as the schedule reads it. */
export function definitionOf(row: WindowRow): WindowDefinition {
  return {
    id: row.id,
    title: row.title,
    timezone: row.timezone,
    readOnly: row.read_only,
    cancelledAt: optionalDate(row.cancelled_at),
    schedule:
      row.cron === null
        ? { kind: 'once', start: date(row.starts_at!), end: date(row.ends_at!) }
        : {
            kind: 'recurring',
            cron: row.cron,
            durationMinutes: row.duration_minutes!,
            from: date(row.created_at),
            until: optionalDate(row.recur_until),
          },
  }
}

/** Windows that may have an occurrence overlapping the range (a superset; the schedule decides). */
export function windowsOverlapping(db: Db, range: TimeRange): Promise<WindowRow[]> {
  const { from, to } = range
  return db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where((eb) => eb.or([eb('cancelled_at', 'is', null), eb('cancelled_at', '>', from)]))
    .where((eb) =>
      eb.or([
        eb.and([eb('cron', 'is', null), eb('starts_at', '<', to), eb('ends_at', '>', from)]),
        eb.and([
          eb('cron', 'is not', null),
          eb('created_at', '<', new Date(to.getTime() + LONGEST_MS)),
          eb.or([
            eb('recur_until', 'is', null),
            eb('recur_until', '>', new Date(from.getTime() - LONGEST_MS)),
          ]),
        ]),
      ]),
    )
    .execute()
}

/**
 * Windows that may be in progress at `now` or later: not cancelled (a cancellation takes effect
 * when it is made, so a cancelled window has nothing left) and not over.
 */
export function windowsNotOver(db: Db, now: Date): Promise<WindowRow[]> {
  return db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where('cancelled_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('cron', 'is', null), eb('ends_at', '>', now)]),
        eb.and([
          eb('cron', 'is not', null),
          eb.or([
            eb('recur_until', 'is', null),
            eb('recur_until', '>', new Date(now.getTime() - LONGEST_MS)),
          ]),
        ]),
      ]),
    )
    .execute()
}
