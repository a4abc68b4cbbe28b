import { sql } from 'kysely'
import { RowCheck } from '../check.ts'
import type { Importer, Row, RowError } from '../types.ts'
import { parseDateTime, parseInteger } from '../values.ts'

/**
 * Storefront visits per channel and hour. `hour` must be the start of an hour (UTC hours:
 * 10:00Z, or 11:00+01:00); anything else is refused rather than rounded, since a file with
 * minutes is probably not hourly data. A (channel, hour) already stored with the same visits is
 * skipped, with other visits updated (the file is the newer count).
 */

const HOUR = 3_600_000

interface State {
  channels: Set<string>
}

/** The hour's instant as the key, so 10:00Z and 11:00+01:00 are the same hour. */
function hourKey(row: Row): string {
  const parsed = parseDateTime(row.get('hour'))
  return `${row.get('channel')} at ${'value' in parsed ? parsed.value.toISOString() : row.get('hour')}`
}

export const sessionsImporter: Importer<State, Session[]> = {
  type: 'sessions',
  access: 'operator',
  record: 'session hour',
  required: ['channel', 'hour', 'visits'],
  optional: [],
  keyColumn: 'hour',
  key: (row) => (row.get('channel') && row.get('hour') ? hourKey(row) : ''),

  async prepare(run) {
    const rows = await run.ctx.db.selectFrom('channels').select('code').execute()
    return { channels: new Set(rows.map((r) => r.code)) }
  },

  check(state, rows) {
    const records = rows.map((row) => checkSession(row, state))
    return { errors: records.flatMap((c) => c.errors), records: records.map((c) => c.value!) }
  },

  async write(_run, tx, _state, values) {
    const current = await sql<{ channel_code: string; hour: Date; visits: number }>`
      select s.channel_code, s.hour, s.visits from storefront_sessions s
      join unnest(${values.map((v) => v.channel)}::text[], ${values.map((v) => v.hour)}::timestamptz[]) as f(channel, hour)
        on s.channel_code = f.channel and s.hour = f.hour`.execute(tx)
    const stored = new Map(
      current.rows.map((r) => [`${r.channel_code}|${new Date(r.hour).toISOString()}`, r.visits]),
    )
    const writes = values.filter((v) => stored.get(`${v.channel}|${v.hour.toISOString()}`) !== v.visits)
    const updated = writes.filter((v) => stored.has(`${v.channel}|${v.hour.toISOString()}`)).length
    if (writes.length > 0)
      await sql`
        insert into storefront_sessions (channel_code, hour, visits)
        select * from unnest(${writes.map((v) => v.channel)}::text[], ${writes.map((v) => v.hour)}::timestamptz[],
          ${writes.map((v) => v.visits)}::int[])
        on conflict (channel_code, hour) do update set visits = excluded.visits`.execute(tx)
    return { created: writes.length - updated, updated, skipped: values.length - writes.length, errors: [] }
  },
}

interface Session {
  channel: string
  hour: Date
  visits: number
}

function checkSession(row: Row, state: State): { value?: Session; errors: RowError[] } {
  const check = new RowCheck(row)
  const channel = check.required('channel', (v) =>
    state.channels.has(v) ? { value: v } : { error: `no sales channel ${v}` },
  )
  const hour = check.required('hour', parseDateTime)
  if (hour && hour.getTime() % HOUR !== 0)
    check.fail('hour', `hour ${row.get('hour')} is not the start of an hour (e.g. 2026-03-02T10:00:00Z)`)
  const visits = check.required('visits', (v) => parseInteger(v, 0, 100_000_000))
  if (!check.ok) return { errors: check.errors }
  return { value: { channel: channel!, hour: hour!, visits: visits! }, errors: [] }
}
