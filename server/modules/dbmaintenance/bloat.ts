import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'

/**
 * How bloated the tables and indexes of the app's schema are, from PostgreSQL's statistics
 * (`pg_stat_user_tables`, `pg_class`, `pg_stats`; all present on the embedded engine too), with
 * the maintenance each table needs.
 */

/** Indexes smaller than this are never rebuilt nor flagged: they stay in shared buffers, so bloat
 * there costs nothing measurable, and the estimate's fixed error (meta and inner pages, rounding)
 * is a large share of a few pages. 1 MiB is 128 pages of 8 kB. */
export const REINDEX_MIN_BYTES = 1024 * 1024

/** A table with more dead row versions than this share of its rows, and than DEAD_MIN, needs a VACUUM. */
const DEAD_RATIO = 0.2
const DEAD_MIN = 1000

export interface IndexBloat {
  index: string
  table: string
  bytes: number
  /** Estimated share of the index that is empty space, 0–100; null without statistics to tell. */
  bloatPercent: number | null
  bloatBytes: number | null
}

export interface TableBloat {
  table: string
  liveTuples: number
  deadTuples: number
  /** Dead row versions over all row versions, 0–1. */
  deadRatio: number
  lastVacuum: string | null
  lastAutovacuum: string | null
  lastAnalyze: string | null
  lastAutoanalyze: string | null
  tableBytes: number
  indexBytes: number
  indexes: IndexBloat[]
  /** The statements to run, most useful first; empty when the table needs nothing. */
  advice: string[]
}

export interface BloatThresholds {
  /** Estimated bloat (%) over which an index is rebuilt (default DB_REINDEX_BLOAT_PERCENT). */
  bloatPercent?: number
  /** Smallest index rebuilt (default REINDEX_MIN_BYTES). */
  minBytes?: number
}

/** An identifier as SQL: bare when it is a plain lower-case name, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`
}

interface IndexRow {
  index: string
  table: string
  bytes: string
  block_size: number
  reltuples: number
  data_width: number | null
  complete: boolean
  fillfactor: number
}

/**
 * Estimated bloat of every valid B-tree index of the current schema. The method is the usual
 * statistics-based estimate (as in the well-known ioguix/pgx_scripts queries, simplified): a
 * packed index holds `reltuples` entries of `maxalign(8-byte tuple header + sum of the key
 * columns' pg_stats.avg_width) + 4-byte line pointer` each, on pages of `block_size − 24-byte page
 * header − 16-byte B-tree special space`, filled to the index's fillfactor (90 by default), plus
 * the meta page. Bloat is the share of the actual size (`pg_relation_size`) beyond that. Inner
 * pages are ignored (≈1 % of an index). Unknown (null) for an index whose table was never
 * analyzed or that has an expression column (no pg_stats row).
 */
export async function indexBloat(ctx: AppContext): Promise<IndexBloat[]> {
  const { rows } = await sql<IndexRow>`
    with idx as (
      select c.oid, c.relname as index, t.relname as table, i.indrelid, i.indkey::int2[] as keys,
        c.reltuples,
        coalesce((select split_part(o, '=', 2)::int from unnest(c.reloptions) o
                  where o like 'fillfactor=%'), 90) as fillfactor
      from pg_index i
      join pg_class c on c.oid = i.indexrelid
      join pg_class t on t.oid = i.indrelid
      join pg_am am on am.oid = c.relam
      where c.relnamespace = current_schema()::regnamespace
        and c.relkind = 'i' and am.amname = 'btree' and i.indisvalid
    ), width as (
      select idx.oid, sum(s.avg_width)::float8 as data_width,
        bool_and(s.avg_width is not null) as complete
      from idx
      cross join unnest(idx.keys) k(attnum)
      left join pg_attribute a on a.attrelid = idx.indrelid and a.attnum = k.attnum and k.attnum > 0
      left join pg_stats s on s.schemaname = current_schema() and s.tablename = idx.table
        and s.attname = a.attname
      group by idx.oid
    )
    select idx.index, idx.table, pg_relation_size(idx.oid)::text as bytes,
      current_setting('block_size')::int as block_size, idx.reltuples::float8 as reltuples,
      width.data_width, coalesce(width.complete, false) as complete, idx.fillfactor
    from idx join width on width.oid = idx.oid
    order by idx.table, idx.index`.execute(ctx.db)
  return rows.map((row) => {
    const bytes = Number(row.bytes)
    const expected = expectedBytes(row)
    if (expected === null || bytes === 0)
      return { index: row.index, table: row.table, bytes, bloatPercent: null, bloatBytes: null }
    const bloatBytes = Math.max(0, bytes - expected)
    return {
      index: row.index,
      table: row.table,
      bytes,
      bloatPercent: round((100 * bloatBytes) / bytes, 1),
      bloatBytes,
    }
  })
}

/** The size of the index packed to its fillfactor, or null without the statistics to tell. */
function expectedBytes(row: IndexRow): number | null {
  if (!row.complete || row.data_width === null || row.reltuples < 0) return null
  const maxalign = (n: number) => Math.ceil(n / 8) * 8
  const entry = maxalign(8 + row.data_width) + 4
  const usable = ((row.block_size - 24 - 16) * row.fillfactor) / 100
  const perPage = Math.max(1, Math.floor(usable / entry))
  const pages = Math.ceil(row.reltuples / perPage) + 1
  return pages * row.block_size
}

/** Whether an index is worth rebuilding under the thresholds. */
export function isBloated(index: IndexBloat, bloatPercent: number, minBytes: number): boolean {
  return index.bloatPercent !== null && index.bloatPercent > bloatPercent && index.bytes >= minBytes
}

interface TableRow {
  table: string
  live: string
  dead: string
  last_vacuum: Date | null
  last_autovacuum: Date | null
  last_analyze: Date | null
  last_autoanalyze: Date | null
  table_bytes: string
  index_bytes: string
}

/**
 * Every table of the current schema with its live and dead row counts, when it was last vacuumed
 * and analyzed, its sizes and its indexes' estimated bloat, most dead rows first, with advice:
 * `VACUUM (ANALYZE)` for more than 20 % and 1000 dead rows, `ANALYZE` for a never-analyzed table
 * with rows, and a REINDEX (CONCURRENTLY on PostgreSQL) for each bloated index.
 */
export async function databaseBloat(
  ctx: AppContext,
  thresholds: BloatThresholds = {},
): Promise<TableBloat[]> {
  const bloatPercent = thresholds.bloatPercent ?? ctx.config.dbMaintenance.reindexBloatPercent
  const minBytes = thresholds.minBytes ?? REINDEX_MIN_BYTES
  const reindex = ctx.database.engine === 'postgres' ? 'REINDEX INDEX CONCURRENTLY' : 'REINDEX INDEX'
  const { rows } = await sql<TableRow>`
    select relname as table, n_live_tup::text as live, n_dead_tup::text as dead, last_vacuum,
      last_autovacuum, last_analyze, last_autoanalyze, pg_table_size(relid)::text as table_bytes,
      pg_indexes_size(relid)::text as index_bytes
    from pg_stat_user_tables
    where schemaname = current_schema()
    order by n_dead_tup desc, relname`.execute(ctx.db)
  const indexes = new Map<string, IndexBloat[]>()
  for (const index of await indexBloat(ctx))
    indexes.set(index.table, [...(indexes.get(index.table) ?? []), index])
  return rows.map((row) => {
    const live = Number(row.live)
    const dead = Number(row.dead)
    const deadRatio = live + dead === 0 ? 0 : dead / (live + dead)
    const tableIndexes = indexes.get(row.table) ?? []
    const advice: string[] = []
    if (dead > DEAD_MIN && deadRatio > DEAD_RATIO) advice.push(`VACUUM (ANALYZE) ${quoteIdent(row.table)}`)
    else if (live > 0 && !row.last_analyze && !row.last_autoanalyze)
      advice.push(`ANALYZE ${quoteIdent(row.table)}`)
    for (const index of tableIndexes)
      if (isBloated(index, bloatPercent, minBytes)) advice.push(`${reindex} ${quoteIdent(index.index)}`)
    return {
      table: row.table,
      liveTuples: live,
      deadTuples: dead,
      deadRatio: round(deadRatio, 3),
      lastVacuum: row.last_vacuum?.toISOString() ?? null,
      lastAutovacuum: row.last_autovacuum?.toISOString() ?? null,
      lastAnalyze: row.last_analyze?.toISOString() ?? null,
      lastAutoanalyze: row.last_autoanalyze?.toISOString() ?? null,
      tableBytes: Number(row.table_bytes),
      indexBytes: Number(row.index_bytes),
      indexes: tableIndexes,
      advice,
    }
  })
}
