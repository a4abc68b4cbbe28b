import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** What a backup holds, stored beside its archive as `<id>/manifest.json`. */
export interface Manifest {
  id: string
  engine: 'postgres' | 'pglite'
  /** The database server's version (`show server_version`). */
  serverVersion: string
  appVersion: string
  /** The newest applied migration (`schema_migrations`), null on an unmigrated database. */
  migration: string | null
  /** Row counts of every table in schema public, taken in the dump's snapshot. */
  tables: Record<string, number>
  sha256: string
  sizeBytes: number
  startedAt: string
  finishedAt: string
  /** `pg_dump-custom` (`data.dump`, pg_dump -Fc) or `pglite-datadir` (`data.tar.gz`). */
  format: 'pg_dump-custom' | 'pglite-datadir'
}

export const ARCHIVE = { postgres: 'data.dump', pglite: 'data.tar.gz' } as const
export const MANIFEST = 'manifest.json'

export const archiveName = (id: string, engine: Manifest['engine']) => `${id}/${ARCHIVE[engine]}`
export const manifestName = (id: string) => `${id}/${MANIFEST}`

/** Anything that runs a query: a pg client or pool. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: rows of ad-hoc queries
  query(text: string, values?: unknown[]): Promise<{ rows: any[] }>
}

export interface DatabaseFacts {
  serverVersion: string
  migration: string | null
  tables: Record<string, number>
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Row counts of every table in schema public, the newest migration and the server version. */
export async function databaseFacts(db: Queryable): Promise<DatabaseFacts> {
  const { rows: version } = await db.query('show server_version')
  const { rows: names } = await db.query(
    "select tablename from pg_tables where schemaname = 'public' order by tablename",
  )
  const tables: Record<string, number> = {}
  for (const { tablename } of names as { tablename: string }[]) {
    const { rows } = await db.query(`select count(*)::bigint as n from public.${quote(tablename)}`)
    tables[tablename] = Number(rows[0].n)
  }
  let migration: string | null = null
  if ('schema_migrations' in tables) {
    const { rows } = await db.query('select name from public.schema_migrations order by name desc limit 1')
    migration = rows[0]?.name ?? null
  }
  return { serverVersion: String(version[0].server_version), migration, tables }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** A manifest read from a store: the fields a check relies on, or why it is unusable. */
export function parseManifest(text: string, id: string): Manifest {
  const value = JSON.parse(text) as Partial<Manifest>
  if (value.id !== id) throw new Error(`the manifest is of ${String(value.id)}, not ${id}`)
  if (value.engine !== 'postgres' && value.engine !== 'pglite')
    throw new Error('the manifest names no engine')
  if (typeof value.sha256 !== 'string' || typeof value.sizeBytes !== 'number')
    throw new Error('the manifest has no checksum or size')
  if (!value.tables || typeof value.tables !== 'object') throw new Error('the manifest has no row counts')
  return value as Manifest
}
