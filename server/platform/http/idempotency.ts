import { createHash } from 'node:crypto'
import type { Insertable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import { retryOnConflict } from '../db/retry.ts'
import type { IdempotencyKeysTable, Tables } from '../db/schema.ts'
import { AppError } from './errors.ts'

export interface Stored {
  status: number
  body: unknown
}

const KEY = /^[\w.:-]{8,200}$/

/** An Idempotency-Key as stored with its answer. */
export type KeyRow = Insertable<IdempotencyKeysTable>

/**
 * Runs a write at most once per `Idempotency-Key`: the key, a hash of the request and the answer
 * are stored in the write's own transaction, so a retry gets the first answer and never a second
 * write. Nothing is read first: a retry's write fails on the stored key (or fails otherwise, as
 * on stock that has moved since), and then the stored key answers. The same key with a
 * different request is refused; two racing requests with one key end with one write. A
 * transaction chosen as a deadlock's victim runs again.
 */
export function idempotent(
  ctx: AppContext,
  scope: string,
  key: string | undefined,
  request: unknown,
  write: (tx: Transaction<Tables>) => Promise<Stored>,
): Promise<Stored & { replayed: boolean }> {
  return idempotentWrite(ctx, scope, key, request, (remember) =>
    retryOnConflict(() =>
      ctx.db.transaction().execute(async (tx) => {
        const result = await write(tx)
        const row = remember(result)
        if (row) await tx.insertInto('idempotency_keys').values(row).execute()
        return result
      }),
    ),
  )
}

/**
 * The same guarantee for a write that stores the key itself: `write` calls `remember` with its
 * answer and stores the row it gets (none without a key) atomically with its own changes, in the
 * same statement or transaction.
 */
export async function idempotentWrite(
  ctx: AppContext,
  scope: string,
  key: string | undefined,
  request: unknown,
  write: (remember: (answer: Stored) => KeyRow | undefined) => Promise<Stored>,
): Promise<Stored & { replayed: boolean }> {
  if (key === undefined) return { ...(await write(() => undefined)), replayed: false }
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
  try {
    const stored = await write((answer) => ({
      scope,
      key,
      request_hash: hash,
      status_code: answer.status,
      response: JSON.stringify(answer.body),
      created_at: ctx.clock.now(),
    }))
    return { ...stored, replayed: false }
  } catch (error) {
    const winner = await previous()
    if (winner) return replay(winner)
    throw error
  }
}
