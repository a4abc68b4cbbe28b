import type { AppContext } from '../../context.ts'
import type { DowntimeReport } from './schemas.ts'

interface Tally {
  minutes: number
  occurrences: number
}

const add = (tally: Tally, minutes: number, occurrences: number) => {
  tally.minutes += minutes
  tally.occurrences += occurrences
}

/** Most minutes first; then most stops; then by name. */
const byMinutes =
  <T extends Tally>(name: (t: T) => string) =>
  (a: T, b: T) =>
    b.minutes - a.minutes || b.occurrences - a.occurrences || name(a).localeCompare(name(b))

/**
 * The recorded stops that started in [from, to), optionally on one line, as minutes and
 * occurrences per reason (each with its lines) and per line. Reasons are grouped as written
 * (trimmed when recorded).
 */
export async function downtimeReasons(
  ctx: AppContext,
  window: { from: Date; to: Date; line?: string },
): Promise<DowntimeReport> {
  let query = ctx.db
    .selectFrom('production_downtime as d')
    .innerJoin('production_batches as b', 'b.id', 'd.batch_id')
    .select((eb) => [
      'd.reason',
      'b.line_code',
      eb.fn.sum<string>('d.minutes').as('minutes'),
      eb.fn.countAll<string>().as('occurrences'),
    ])
    .where('d.started_at', '>=', window.from)
    .where('d.started_at', '<', window.to)
    .groupBy(['d.reason', 'b.line_code'])
  if (window.line) query = query.where('b.line_code', '=', window.line)
  const rows = await query.execute()

  const total: Tally = { minutes: 0, occurrences: 0 }
  const reasons = new Map<string, Tally & { reason: string; lines: (Tally & { line: string })[] }>()
  const lines = new Map<string, Tally & { line: string }>()
  for (const row of rows) {
    const minutes = Number(row.minutes)
    const occurrences = Number(row.occurrences)
    add(total, minutes, occurrences)
    const reason = reasons.get(row.reason) ?? { reason: row.reason, minutes: 0, occurrences: 0, lines: [] }
    add(reason, minutes, occurrences)
    reason.lines.push({ line: row.line_code, minutes, occurrences })
    reasons.set(row.reason, reason)
    const line = lines.get(row.line_code) ?? { line: row.line_code, minutes: 0, occurrences: 0 }
    add(line, minutes, occurrences)
    lines.set(row.line_code, line)
  }
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    line: window.line ?? null,
    minutes: total.minutes,
    occurrences: total.occurrences,
    reasons: [...reasons.values()]
      .map((r) => ({ ...r, lines: r.lines.sort(byMinutes((l) => l.line)) }))
      .sort(byMinutes((r) => r.reason)),
    lines: [...lines.values()].sort(byMinutes((l) => l.line)),
  }
}
