import { createHash } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../db/schema.ts'
import { AppError } from './errors.ts'

export interface Stored {
  status: number
  body: unknown
}

const KEY = /^[\w.:-]{8,200}$/

/**
 * Runs a write at most once per `Idempotency-Key`: the key, a hash of the request and the answer
 * are stored in the write's own transaction, so a retry gets the first answer and never a second
 * write. The same key with a different request is refused; two racing requests with one key end
 * with one write (the loser's transaction fails on the key and it answers with the winner's).
 */
export async function idempotent(
  ctx: AppContext,
  scope: string,
  key: string | undefined,
  request: unknown,
  write: (tx: Transaction<Tables>) => Promise<Stored>,
): Promise<Stored & { replayed: boolean }> {
  if (key === undefined) return { ...(await ctx.db.transaction().execute(write)), replayed: false }
  if (!KEY.test(key))
    throw new AppError(
      400,
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be 8–200 letters, digits or ._:-',
    )
  const hash = createHash('sha256').update(JSON.stringify(request)).digest('hex')
  const previous = () =>
    ctx.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst()
  const replay = (row: NonNullable<Awaited<ReturnType<typeof previous>>>) => {
    if (row.request_hash !== hash)
      throw new AppError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request',
      )
    return { status: row.status_code, body: row.response, replayed: true }
  }
  const before = await previous()
  if (before) return replay(before)
  try {
    const stored = await ctx.db.transaction().execute(async (tx) => {
      const result = await write(tx)
      await tx
        .insertInto('idempotency_keys')
        .values({
          scope,
          key,
          request_hash: hash,
          status_code: result.status,
          response: JSON.stringify(result.body),
          created_at: ctx.clock.now(),
        })
        .execute()
      return result
    })
    return { ...stored, replayed: false }
  } catch (error) {
    const winner = await previous()
    if (winner) return replay(winner)
    throw error
  }
}
