import { type Kysely, sql, type Transaction } from 'kysely'
import type { Tables } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'

/** Every base-currency figure (order values, rollups, working capital) is in pounds sterling. */
export const BASE_CURRENCY = 'GBP'

/**
 * Units of the base currency per one unit of `currency` on the day of `at`: the latest stored
 * rate on or before that day. An order in a currency without a rate is refused, never booked at 0.
 */
export async function fxRate(
  db: Kysely<Tables> | Transaction<Tables>,
  currency: string,
  at: Date,
): Promise<number> {
  if (currency === BASE_CURRENCY) return 1
  const row = await db
    .selectFrom('fx_rates')
    .select('rate')
    .where('currency', '=', currency)
    .where('day', '<=', sql<string>`${at.toISOString().slice(0, 10)}::date`)
    .orderBy('day', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row)
    throw new AppError(
      422,
      'NO_FX_RATE',
      `No ${currency}→${BASE_CURRENCY} exchange rate on or before ${at.toISOString().slice(0, 10)}`,
    )
  return Number(row.rate)
}
