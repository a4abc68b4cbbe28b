import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { AppError, badRequest, validationFailed } from '../../platform/http/errors.ts'
import type { SessionQuery, SessionsInput } from './schemas.ts'

const HOUR = 3_600_000
/** Earliest time accepted anywhere here: older data is a typing error (and year 0 is no PostgreSQL date). */
export const EARLIEST = Date.UTC(1970, 0, 1)

/** An ISO time from a request, refused with 400 before 1970. */
export function instantOf(value: string, name: string): Date {
  const at = new Date(value)
  if (!(at.getTime() >= EARLIEST)) throw validationFailed(`${name} must be a time from 1970 on`)
  return at
}

/**
 * Sets the visits of each (channel, UTC hour) given, in one transaction: a count sent again
 * replaces the stored one, so a storefront can resend an hour as it grows. Every hour must start
 * on the hour and lie no later than the next hour; every channel must exist (422 UNKNOWN_CHANNEL).
 */
export async function writeSessions(ctx: AppContext, input: SessionsInput) {
  const latest = Math.floor(ctx.clock.ms() / HOUR) * HOUR + HOUR
  const seen = new Map<string, number>()
  const rows = input.items.map((item, index) => {
    const hour = instantOf(item.hour, `items[${index}].hour`)
    if (hour.getTime() % HOUR !== 0)
      throw validationFailed(`items[${index}].hour must be the start of a UTC hour (minutes and seconds 0)`)
    if (hour.getTime() > latest)
      throw new AppError(422, 'INVALID_DATE', `items[${index}].hour ${item.hour} lies in the future`)
    const key = `${item.channel} ${hour.toISOString()}`
    const first = seen.get(key)
    if (first !== undefined)
      throw validationFailed(`items[${first}] and items[${index}] are the same channel and hour`)
    seen.set(key, index)
    return { channel_code: item.channel, hour, visits: item.visits }
  })
  return ctx.db.transaction().execute(async (tx) => {
    const channels = [...new Set(rows.map((row) => row.channel_code))]
    const known = new Set(
      (await tx.selectFrom('channels').select('code').where('code', 'in', channels).execute()).map(
        (row) => row.code,
      ),
    )
    const unknown = channels.filter((code) => !known.has(code))
    if (unknown.length > 0)
      throw new AppError(422, 'UNKNOWN_CHANNEL', `No sales channel ${unknown.join(', ')}`, { unknown })
    const written = await tx
      .insertInto('storefront_sessions')
      .values(rows)
      .onConflict((conflict) =>
        conflict
          .columns(['channel_code', 'hour'])
          .doUpdateSet((eb) => ({ visits: eb.ref('excluded.visits') })),
      )
      // xmax is 0 on a row this statement inserted, set on one it updated
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .execute()
    const inserted = written.filter((row) => row.inserted).length
    return { written: written.length, inserted, updated: written.length - inserted }
  })
}

/** Session counts, latest hour first (then channel, descending), keyset-paged on (hour, channel). */
export async function listSessions(ctx: AppContext, query: SessionQuery) {
  let select = ctx.db.selectFrom('storefront_sessions').selectAll()
  if (query.channel) select = select.where('channel_code', '=', query.channel)
  if (query.from) select = select.where('hour', '>=', instantOf(query.from, 'from'))
  if (query.to) select = select.where('hour', '<', instantOf(query.to, 'to'))
  if (query.cursor) {
    const [hour = '', channel = ''] = decodeCursor(query.cursor, 2)
    const at = cursorTime(hour)
    if (at.getTime() < EARLIEST || !/^[a-z0-9-]{2,40}$/.test(channel))
      throw badRequest('cursor is not one this API gave out')
    select = select.where((eb) => eb(eb.refTuple('hour', 'channel_code'), '<', eb.tuple(at, channel)))
  }
  const rows = await select
    .orderBy('hour', 'desc')
    .orderBy('channel_code', 'desc')
    .limit(query.limit + 1)
    .execute()
  return pageOf(
    rows,
    query.limit,
    (row) => ({ channel: row.channel_code, hour: new Date(row.hour).toISOString(), visits: row.visits }),
    (last) => encodeCursor([new Date(last.hour).toISOString(), last.channel_code]),
  )
}
