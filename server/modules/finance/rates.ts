import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { AppError, badRequest, validationFailed } from '../../platform/http/errors.ts'
import { BASE_CURRENCY } from './fx.ts'
import type { FxRateQuery, FxRatesInput } from './schemas.ts'

const DAY = 86_400_000
const EARLIEST_DAY = '1970-01-01'

/** A YYYY-MM-DD from a request (the schema has checked it is a real date), refused before 1970. */
function dayOf(value: string, name: string): string {
  if (value < EARLIEST_DAY) throw validationFailed(`${name} must be a day from 1970 on`)
  return value
}

/**
 * Sets the rate of each (currency, day) given, in one transaction; a rate sent again replaces the
 * stored one. A rate is pounds per one unit of the currency, as `fxRate` reads it. Orders keep
 * the rate they were booked at, so a corrected rate changes only orders booked after it.
 */
export async function writeRates(ctx: AppContext, input: FxRatesInput) {
  const tomorrow = new Date(ctx.clock.ms() + DAY).toISOString().slice(0, 10)
  const seen = new Map<string, number>()
  const rows = input.items.map((item, index) => {
    if (item.currency === BASE_CURRENCY)
      throw new AppError(
        422,
        'BASE_CURRENCY',
        `items[${index}]: ${BASE_CURRENCY} is the base currency; its rate is always 1`,
      )
    const day = dayOf(item.day, `items[${index}].day`)
    if (day > tomorrow)
      throw new AppError(422, 'INVALID_DATE', `items[${index}].day ${day} lies in the future`)
    const key = `${item.currency} ${day}`
    const first = seen.get(key)
    if (first !== undefined)
      throw validationFailed(`items[${first}] and items[${index}] are the same currency and day`)
    seen.set(key, index)
    return { currency: item.currency, day, rate: item.rate }
  })
  return ctx.db.transaction().execute(async (tx) => {
    const written = await tx
      .insertInto('fx_rates')
      .values(rows)
      .onConflict((conflict) =>
        conflict.columns(['currency', 'day']).doUpdateSet((eb) => ({ rate: eb.ref('excluded.rate') })),
      )
      // xmax is 0 on a row this statement inserted, set on one it updated
      .returning(sql<boolean>`xmax = 0`.as('inserted'))
      .execute()
    const inserted = written.filter((row) => row.inserted).length
    return { written: written.length, inserted, updated: written.length - inserted }
  })
}

/** Stored rates, latest day first (then currency, descending), keyset-paged on (day, currency). */
export async function listRates(ctx: AppContext, query: FxRateQuery) {
  let select = ctx.db.selectFrom('fx_rates').selectAll()
  if (query.currency) select = select.where('currency', '=', query.currency)
  if (query.from) select = select.where('day', '>=', dayOf(query.from, 'from'))
  if (query.to) select = select.where('day', '<=', dayOf(query.to, 'to'))
  if (query.cursor) {
    const [day = '', currency = ''] = decodeCursor(query.cursor, 2)
    const realDay =
      /^\d{4}-\d\d-\d\d$/.test(day) &&
      !Number.isNaN(Date.parse(day)) &&
      new Date(day).toISOString().startsWith(day)
    if (!realDay || day < EARLIEST_DAY || !/^[A-Z]{3}$/.test(currency))
      throw badRequest('cursor is not one this API gave out')
    select = select.where((eb) =>
      eb(eb.refTuple('day', 'currency'), '<', eb.tuple(sql<string>`${day}::date`, currency)),
    )
  }
  const rows = await select
    .orderBy('day', 'desc')
    .orderBy('currency', 'desc')
    .limit(query.limit + 1)
    .execute()
  return {
    base: BASE_CURRENCY,
    ...pageOf(
      rows,
      query.limit,
      (row) => ({ currency: row.currency.trim(), day: row.day, rate: Number(row.rate) }),
      (last) => encodeCursor([last.day, last.currency.trim()]),
    ),
  }
}
