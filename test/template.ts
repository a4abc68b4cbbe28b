import pg from 'pg'
import { loadConfig } from '../server/config.ts'
import { openDatabase } from '../server/platform/db/database.ts'
import { migrateUp } from '../server/platform/db/migrator.ts'
import { Jobs } from '../server/platform/jobs/jobs.ts'
import { createLogger } from '../server/platform/observability/logger.ts'

/**
 * A migrated database (schema plus the job queue's tables) built once per test run; each
 * test file starts from a copy. Embedded: a gzipped data-dir dump. PostgreSQL: a template
 * database that `CREATE DATABASE ... TEMPLATE` copies.
 */
export const silentLogger = createLogger({ logLevel: 'silent', env: 'development', secrets: [] })

export async function prepare(database: Awaited<ReturnType<typeof openDatabase>>): Promise<void> {
  await migrateUp(database.db)
  const jobs = new Jobs(database, [], silentLogger)
  await jobs.start({ work: false, schedule: false }, () => {
    throw new Error('no jobs run while preparing the template')
  })
  await jobs.stop(1000)
}

export async function buildPgliteTemplate(): Promise<Blob> {
  const config = loadConfig({})
  const database = await openDatabase({ config: config.database, dataDir: 'memory://', logger: silentLogger })
  try {
    await prepare(database)
    return await database.pglite!.dumpDataDir('gzip')
  } finally {
    await database.close()
  }
}

/** Runs statements on the server's maintenance database (`postgres`). */
export async function adminQuery(databaseUrl: string, statements: string[]): Promise<void> {
  const url = new URL(databaseUrl)
  url.pathname = '/postgres'
  url.searchParams.delete('connection_limit')
  url.searchParams.delete('pgbouncer')
  const client = new pg.Client({ connectionString: url.toString() })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

export function databaseUrlFor(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl)
  url.pathname = `/${name}`
  return url.toString()
}

export async function buildPostgresTemplate(databaseUrl: string, name: string): Promise<void> {
  await adminQuery(databaseUrl, [`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`])
  const config = loadConfig({ DATABASE_URL: databaseUrlFor(databaseUrl, name) })
  const database = await openDatabase({ config: config.database, dataDir: 'unused', logger: silentLogger })
  try {
    await prepare(database)
  } finally {
    await database.close()
  }
}
