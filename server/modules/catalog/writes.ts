import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { AppError, conflict, validationFailed } from '../../platform/http/errors.ts'
import type { Change } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'

/**
 * What every catalog write shares: one transaction, database refusals turned into 4xx answers,
 * an audit entry with the values before and after, and checks that referenced rows exist.
 */

export type Tx = Transaction<Tables>

export type { Change }

/** A reference to a row that does not exist: 422 with a code naming what is missing. */
export const unknownReference = (code: string, message: string, details?: unknown) =>
  new AppError(422, code, message, details)

/**
 * Runs `work` in one transaction. A duplicate key answers 409 with `duplicate` as the message;
 * the checks below normally catch the other refusals first, these are the last line.
 */
export async function write<T>(ctx: AppContext, duplicate: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction().execute(work)
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code === '23505') throw conflict(duplicate)
    if (code === '23503') throw unknownReference('UNKNOWN_REFERENCE', 'A referenced record does not exist')
    if (code === '23514') throw validationFailed('A value is outside its allowed range')
    throw error
  }
}

export async function auditCreate(
  tx: Tx,
  target: { type: string; id: string },
  values: Record<string, unknown>,
  change: Change,
): Promise<void> {
  await recordAudit(tx, {
    actor: change.actor,
    action: 'catalog_create',
    target,
    request: change.request,
    newValues: values,
  })
}

/** Records the fields that changed, before and after; nothing when nothing changed. */
export async function auditUpdate(
  tx: Tx,
  target: { type: string; id: string },
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  change: Change,
): Promise<void> {
  const changed = Object.keys(after).filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  )
  if (changed.length === 0) return
  await recordAudit(tx, {
    actor: change.actor,
    action: 'catalog_update',
    target,
    request: change.request,
    oldValues: Object.fromEntries(changed.map((key) => [key, before[key]])),
    newValues: Object.fromEntries(changed.map((key) => [key, after[key]])),
  })
}

/** 422 UNKNOWN_MARKET unless every code is a market. */
export async function requireMarkets(tx: Tx, codes: string[]): Promise<void> {
  const wanted = [...new Set(codes)]
  if (wanted.length === 0) return
  const found = await tx.selectFrom('markets').select('code').where('code', 'in', wanted).execute()
  const known = new Set(found.map((row) => row.code))
  const missing = wanted.filter((code) => !known.has(code))
  if (missing.length > 0)
    throw unknownReference('UNKNOWN_MARKET', `No market ${missing.join(', ')}`, { markets: missing })
}

/** 422 UNKNOWN_LOCATION unless the location exists. */
export async function requireLocation(tx: Tx, code: string): Promise<void> {
  const found = await tx.selectFrom('locations').select('code').where('code', '=', code).executeTakeFirst()
  if (!found) throw unknownReference('UNKNOWN_LOCATION', `No location ${code}`, { location: code })
}
