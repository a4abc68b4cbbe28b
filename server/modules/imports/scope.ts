import { sql, type Transaction } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import { isTransientConflict, retryOnConflict } from '../../platform/db/retry.ts'
import type { Tables } from '../../platform/db/schema.ts'
import type { BatchOutcome, ImportType } from './types.ts'

type Tx = Transaction<Tables>

/**
 * Where batches run. A real import commits each good batch in its own transaction. A dry run
 * runs the whole file in one transaction with a savepoint per batch and rolls it all back at
 * the end, so each batch sees what the batches before it would have written (a receipt in
 * batch 1 makes room for a sale in batch 2) and the counts are those of a real run.
 */
export interface BatchScope {
  /** Runs one batch; keeps its writes when it has no errors, else undoes them all. */
  run(work: (tx: Tx) => Promise<BatchOutcome>): Promise<{ outcome: BatchOutcome; kept: boolean }>
  close(): Promise<void>
}

class Rollback extends Error {
  constructor(readonly outcome: BatchOutcome) {
    super('batch rolled back')
  }
}

/** Imports of one type take turns per batch, so two at once cannot both create the same record. */
const lock = (tx: Tx, type: ImportType) =>
  sql`select pg_advisory_xact_lock(hashtext(${`sentia.imports.${type}`}))`.execute(tx)

/**
 * A batch of a concurrent importer whose insert met a record another import created meanwhile
 * (a unique key), or that lost a deadlock: it was rolled back, and run again it skips that record.
 */
const worthRetrying = (error: unknown) =>
  isTransientConflict(error) || (error as { code?: string } | null)?.code === '23505'

/**
 * `concurrent`: batches need no turn of the type's lock (Importer.concurrent), and a batch that
 * collided with another writer is run again, up to four times in all.
 */
export async function openScope(
  db: Db,
  type: ImportType,
  options: { dryRun: boolean; concurrent: boolean },
): Promise<BatchScope> {
  if (!options.dryRun) {
    const once = (work: (tx: Tx) => Promise<BatchOutcome>) =>
      db.transaction().execute(async (tx) => {
        if (!options.concurrent) await lock(tx, type)
        const result = await work(tx)
        if (result.errors.length > 0) throw new Rollback(result)
        return result
      })
    return {
      async run(work) {
        try {
          const outcome = options.concurrent
            ? await retryOnConflict(() => once(work), 4, worthRetrying)
            : await once(work)
          return { outcome, kept: true }
        } catch (error) {
          if (error instanceof Rollback) return { outcome: error.outcome, kept: false }
          throw error
        }
      },
      async close() {},
    }
  }

  const trx = await db.startTransaction().execute()
  await lock(trx, type)
  let count = 0
  let open = true
  return {
    async run(work) {
      const name = `batch_${++count}`
      const point = await trx.savepoint(name).execute()
      try {
        const outcome = await work(point)
        const kept = outcome.errors.length === 0
        if (kept) await point.releaseSavepoint(name).execute()
        else await point.rollbackToSavepoint(name).execute()
        return { outcome, kept }
      } catch (error) {
        await point.rollbackToSavepoint(name).execute()
        throw error
      }
    },
    async close() {
      if (!open) return
      open = false
      await trx.rollback().execute()
    },
  }
}
