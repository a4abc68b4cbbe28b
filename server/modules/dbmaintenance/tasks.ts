import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { elapsedMs } from '../../platform/numbers.ts'
import { type BloatThresholds, indexBloat, isBloated, quoteIdent, REINDEX_MIN_BYTES } from './bloat.ts'
import { type RunDetail, RunFailure } from './record.ts'

/** The work of the maintenance jobs, on both engines. */

/** ANALYZE of every table the app's user owns (fresh planner statistics and bloat estimates). */
export async function analyzeDatabase(ctx: AppContext): Promise<RunDetail> {
  await sql`analyze`.execute(ctx.db)
  const { rows } = await sql<{ tables: string }>`
    select count(*)::text as tables from pg_stat_user_tables`.execute(ctx.db)
  return { tables: Number(rows[0]?.tables ?? 0) }
}

interface Rebuilt {
  index: string
  table: string
  bloatPercent: number | null
  bytesBefore: number
  bytesAfter: number
  durationMs: number
}

/**
 * Rebuilds every index of the current schema whose estimated bloat is over the threshold
 * (DB_REINDEX_BLOAT_PERCENT) and that is at least REINDEX_MIN_BYTES. On PostgreSQL with
 * `REINDEX INDEX CONCURRENTLY`: writes continue meanwhile; it cannot run in a transaction, so
 * each is a statement of its own on the pool. On the embedded engine with a plain `REINDEX
 * INDEX`: it has one connection, so nothing runs beside the statement anyway, its database is
 * small (a rebuild takes milliseconds), and a plain REINDEX is transactional (nothing is left
 * behind if it fails). An index whose rebuild fails does not stop the others; the run then fails
 * (and is retried) with what it did in its detail.
 */
export async function reindexBloated(ctx: AppContext, thresholds: BloatThresholds = {}): Promise<RunDetail> {
  const bloatPercent = thresholds.bloatPercent ?? ctx.config.dbMaintenance.reindexBloatPercent
  const minBytes = thresholds.minBytes ?? REINDEX_MIN_BYTES
  const concurrently = ctx.database.engine === 'postgres'
  const indexes = await indexBloat(ctx)
  const candidates = indexes.filter((index) => isBloated(index, bloatPercent, minBytes))
  const reindexed: Rebuilt[] = []
  const failed: { index: string; error: string }[] = []
  for (const index of candidates) {
    const started = performance.now()
    try {
      await sql`reindex index ${sql.raw(concurrently ? 'concurrently ' : '')}${sql.id(index.index)}`.execute(
        ctx.db,
      )
      reindexed.push({
        index: index.index,
        table: index.table,
        bloatPercent: index.bloatPercent,
        bytesBefore: index.bytes,
        bytesAfter: await relationSize(ctx, index.index),
        durationMs: elapsedMs(started),
      })
    } catch (error) {
      failed.push({ index: index.index, error: (error as Error).message })
      if (concurrently) await dropLeftover(ctx, index.index)
    }
  }
  const detail = {
    method: concurrently ? 'REINDEX INDEX CONCURRENTLY' : 'REINDEX INDEX',
    bloatPercent,
    minBytes,
    examined: indexes.length,
    reindexed,
    ...(failed.length > 0 ? { failed } : {}),
  }
  if (failed.length > 0)
    throw new RunFailure(
      `could not rebuild ${failed.map((f) => `${f.index} (${f.error})`).join(', ')}`,
      detail,
    )
  return detail
}

async function relationSize(ctx: AppContext, index: string): Promise<number> {
  const { rows } = await sql<{ bytes: string }>`
    select pg_relation_size(${quoteIdent(index)}::regclass)::text as bytes`.execute(ctx.db)
  return Number(rows[0]?.bytes ?? 0)
}

/**
 * A failed REINDEX CONCURRENTLY leaves an invalid copy `<index>_ccnew` (numbered when taken)
 * that writes still maintain: drop it, so a retry starts clean.
 */
async function dropLeftover(ctx: AppContext, index: string): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_index i on i.indexrelid = c.oid
    where c.relnamespace = current_schema()::regnamespace and not i.indisvalid
      and c.relname ~ ${`^${index.replace(/[^\w]/g, '\\$&')}_ccnew[0-9]*$`}`.execute(ctx.db)
  for (const { name } of rows) {
    try {
      await sql`drop index concurrently if exists ${sql.id(name)}`.execute(ctx.db)
    } catch (error) {
      ctx.logger.error({ err: error, index: name }, 'could not drop the leftover of a failed REINDEX')
    }
  }
}
