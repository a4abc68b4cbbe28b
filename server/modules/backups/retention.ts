/**
 * Which backups to keep: grandfather-father-son over complete backups. The newest backup of each
 * of the `daily` most recent UTC days that have one is kept, likewise per ISO week (`weekly`) and
 * per month (`monthly`); a backup kept by any rule stays, and the newest complete backup always
 * stays. Failed or running rows are removed once they are more than a day old.
 */

export interface RetentionPolicy {
  daily: number
  weekly: number
  monthly: number
}

export interface RetainedBackup {
  id: string
  status: 'running' | 'complete' | 'failed'
  startedAt: Date
}

const DAY = 86_400_000

export const dayKey = (at: Date) => at.toISOString().slice(0, 10)
export const monthKey = (at: Date) => at.toISOString().slice(0, 7)

/** ISO 8601 week of a UTC instant, e.g. `2026-W01` (weeks start on Monday; week 1 holds a Thursday). */
export function isoWeekKey(at: Date): string {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()))
  const weekday = day.getUTCDay() || 7
  day.setUTCDate(day.getUTCDate() + 4 - weekday) // the Thursday of this week names its year
  const year = day.getUTCFullYear()
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / DAY + 1) / 7)
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** The newest backup of each of the `count` most recent periods (backups sorted newest first). */
function newestPerPeriod<T extends RetainedBackup>(
  sorted: T[],
  key: (at: Date) => string,
  count: number,
): T[] {
  const kept: T[] = []
  const seen = new Set<string>()
  for (const backup of sorted) {
    if (seen.size >= count) break
    const period = key(backup.startedAt)
    if (seen.has(period)) continue
    seen.add(period)
    kept.push(backup)
  }
  return kept
}

/** Splits `backups` into the ids to keep and the ids to delete at `now`. */
export function retain<T extends RetainedBackup>(
  backups: T[],
  policy: RetentionPolicy,
  now: Date,
): { keep: string[]; remove: string[] } {
  const complete = backups
    .filter((b) => b.status === 'complete')
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || b.id.localeCompare(a.id))
  const keep = new Set<string>([
    ...(complete[0] ? [complete[0].id] : []),
    ...newestPerPeriod(complete, dayKey, policy.daily).map((b) => b.id),
    ...newestPerPeriod(complete, isoWeekKey, policy.weekly).map((b) => b.id),
    ...newestPerPeriod(complete, monthKey, policy.monthly).map((b) => b.id),
  ])
  for (const backup of backups) {
    if (backup.status !== 'complete' && now.getTime() - backup.startedAt.getTime() <= DAY) keep.add(backup.id)
  }
  const ordered = [...backups].sort((a, b) => a.id.localeCompare(b.id))
  return {
    keep: ordered.filter((b) => keep.has(b.id)).map((b) => b.id),
    remove: ordered.filter((b) => !keep.has(b.id)).map((b) => b.id),
  }
}
