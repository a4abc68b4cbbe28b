import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { Config } from '../../config.ts'
import { openDatabase } from '../../platform/db/database.ts'
import { acquireDataDirLock, LockHeldError } from '../../platform/db/lockfile.ts'
import { AppError, badRequest, conflict } from '../../platform/http/errors.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { type DatabaseFacts, databaseFacts, type Manifest, type Queryable } from './manifest.ts'
import type { BackupStore } from './store.ts'
import { databaseName, describeUrl, libpqEnv, run, scrub } from './tools.ts'
import { checkBackup, fetchBackup, stateOf, type VerifyReport } from './verify.ts'

/**
 * Restoring a backup into a new database (PostgreSQL URL) or data directory (embedded). Needs
 * only the config and the stores, not a running server or the live database.
 */

export interface RestoreOptions {
  id: string
  /** A postgres:// URL (PostgreSQL backups) or a directory used as DATA_DIR (embedded backups). */
  target: string
  /** Restore a backup that fails verification. */
  force?: boolean
  /** Overwrite the database the app is configured with (the caller has confirmed it). */
  forceLive?: boolean
  progress?: (line: string) => void
  /** Runs on the restored database, while it is open, after the row counts (recovery drills). */
  inspect?: (db: Queryable) => Promise<void>
}

export interface IntegrityReport {
  ok: boolean
  tables: { name: string; expected: number | null; actual: number | null; ok: boolean }[]
  migration: { expected: string | null; actual: string | null; ok: boolean }
}

export interface RestoreResult {
  id: string
  engine: Manifest['engine']
  /** Where it went, without credentials. */
  target: string
  live: boolean
  verify: VerifyReport
  integrity: IntegrityReport
}

const isUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target)

/** Row counts and migration of the restored database against the manifest. */
export function compareFacts(manifest: Manifest, facts: DatabaseFacts): IntegrityReport {
  const names = [...new Set([...Object.keys(manifest.tables), ...Object.keys(facts.tables)])].sort()
  const tables = names.map((name) => {
    const expected = manifest.tables[name] ?? null
    const actual = facts.tables[name] ?? null
    return { name, expected, actual, ok: expected === actual }
  })
  const migration = {
    expected: manifest.migration,
    actual: facts.migration,
    ok: manifest.migration === facts.migration,
  }
  return { ok: migration.ok && tables.every((t) => t.ok), tables, migration }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/** Whether two connection URLs name the same database on the same server. */
export function sameDatabase(a: string, b: string): boolean {
  const [x, y] = [new URL(a), new URL(b)]
  const host = (url: URL) => (LOOPBACK.has(url.hostname) ? 'loopback' : url.hostname.toLowerCase())
  return (
    host(x) === host(y) && (x.port || '5432') === (y.port || '5432') && databaseName(a) === databaseName(b)
  )
}

/** Whether a directory target is the embedded database the app uses (DATA_DIR or DATA_DIR/pg). */
export function isLiveDir(config: Config, target: string): boolean {
  const resolved = path.resolve(target)
  return resolved === path.resolve(config.dataDir) || resolved === path.resolve(config.dataDir, 'pg')
}

/** Verifies, then restores; refuses a corrupt backup (without `force`) and the live database (without `forceLive`). */
export async function restoreBackup(
  config: Config,
  stores: BackupStore[],
  options: RestoreOptions,
): Promise<RestoreResult> {
  const say = options.progress ?? (() => {})
  // The live database is refused before anything is downloaded.
  if (!options.forceLive) {
    const live = isUrl(options.target)
      ? config.database.connectionString !== undefined &&
        sameDatabase(options.target, config.database.connectionString)
      : isLiveDir(config, options.target)
    if (live)
      throw liveRefused(isUrl(options.target) ? describeUrl(options.target) : path.resolve(config.dataDir))
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sentia-restore-'))
  try {
    say(`fetching ${options.id}`)
    const fetched = await fetchBackup(stores, options.id, dir)
    say(`verifying ${options.id} (from the ${fetched.store.kind} store)`)
    const checks = await checkBackup(fetched)
    const verify: VerifyReport = {
      id: options.id,
      state: stateOf(checks),
      store: fetched.store.kind,
      checks,
      verifiedAt: new Date().toISOString(),
    }
    const { manifest, archive } = fetched
    if (!manifest || !archive)
      throw conflict(
        `Backup ${options.id} cannot be restored: its manifest or archive is missing or unreadable`,
      )
    if (verify.state === 'corrupt') {
      const failed = checks
        .filter((c) => !c.ok)
        .map((c) => `${c.name}: ${c.detail}`)
        .join('; ')
      if (!options.force)
        throw new AppError(
          409,
          'BACKUP_CORRUPT',
          `Backup ${options.id} is corrupt (${failed}); use --force to restore it anyway`,
        )
      say(`restoring a corrupt backup (--force): ${failed}`)
    }
    if (manifest.engine === 'postgres') {
      if (!isUrl(options.target))
        throw badRequest('A PostgreSQL backup restores into a database: give a postgres:// URL as the target')
      return await restorePostgres(config, options, manifest, archive, verify, say)
    }
    if (isUrl(options.target))
      throw badRequest(
        'An embedded (PGlite) backup restores into a directory: give a directory as the target',
      )
    return await restorePglite(config, options, manifest, archive, verify, say)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const liveRefused = (what: string) =>
  new AppError(
    409,
    'LIVE_TARGET',
    `${what} is the live database this app is configured with; restore into a new database, or pass --force-live --yes to overwrite it`,
  )

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'sentia-restore' })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

async function restorePostgres(
  config: Config,
  options: RestoreOptions,
  manifest: Manifest,
  archive: string,
  verify: VerifyReport,
  say: (line: string) => void,
): Promise<RestoreResult> {
  const target = options.target
  const shown = describeUrl(target)
  const name = databaseName(target)
  if (!name) throw badRequest('The target URL names no database')
  const live =
    config.database.connectionString !== undefined && sameDatabase(target, config.database.connectionString)
  if (live && !options.forceLive) throw liveRefused(shown)
  const admin = new URL(target)
  admin.pathname = '/postgres'
  const fail = (error: unknown): never => {
    throw new AppError(
      502,
      'RESTORE_FAILED',
      `Restore into ${shown} failed: ${scrub((error as Error).message, config.secrets)}`,
    )
  }
  const exists = await withClient(admin.toString(), async (client) => {
    const { rows } = await client.query('select 1 from pg_database where datname = $1', [name])
    if (rows.length) return true
    say(`creating database ${name}`)
    await client.query(`create database "${name.replace(/"/g, '""')}"`)
    return false
  }).catch(fail)
  let clean = false
  if (exists) {
    const tables = await withClient(target, async (client) =>
      Number(
        (await client.query("select count(*) as n from pg_tables where schemaname = 'public'")).rows[0].n,
      ),
    ).catch(fail)
    if (tables > 0 && !live)
      throw conflict(`${shown} already has ${tables} tables; restore into a new or empty database`)
    clean = tables > 0
  }
  const total = Object.keys(manifest.tables).length
  let done = 0
  say(`restoring into ${shown}`)
  const result = await run(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      '--verbose',
      '--no-password',
      ...(clean ? ['--clean', '--if-exists'] : []),
      '--dbname',
      name,
      archive,
    ],
    {
      env: libpqEnv(target),
      onLine(line) {
        const table = /processing data for table "([^"]+)"/.exec(line)
        if (table) say(`table ${++done}/${total}: ${table[1]}`)
      },
    },
  )
  if (result.code !== 0) {
    // --single-transaction: nothing was written; a database made for this restore goes too.
    if (!exists)
      await withClient(admin.toString(), (client) =>
        client.query(`drop database if exists "${name.replace(/"/g, '""')}"`),
      ).catch(() => {})
    const lines = result.stderr.split('\n').filter((l) => /error|fatal/i.test(l))
    fail(new Error(`pg_restore: ${(lines.join(' ') || result.stderr).trim().slice(-1000)}`))
  }
  say('checking row counts against the manifest')
  const facts = await withClient(target, async (client) => {
    const found = await databaseFacts(client)
    await options.inspect?.(client)
    return found
  }).catch(fail)
  return {
    id: options.id,
    engine: 'postgres',
    target: shown,
    live,
    verify,
    integrity: compareFacts(manifest, facts),
  }
}

const silent = createLogger({ logLevel: 'silent', env: 'development', secrets: [] })

async function restorePglite(
  config: Config,
  options: RestoreOptions,
  manifest: Manifest,
  archive: string,
  verify: VerifyReport,
  say: (line: string) => void,
): Promise<RestoreResult> {
  const live = isLiveDir(config, options.target)
  if (live && !options.forceLive) throw liveRefused(path.resolve(config.dataDir))
  const dataDir = live ? path.resolve(config.dataDir) : path.resolve(options.target)
  const clusterDir = path.join(dataDir, 'pg')
  let lock: ReturnType<typeof acquireDataDirLock> | undefined
  let aside: string | undefined
  try {
    try {
      lock = acquireDataDirLock(dataDir, 'backup:restore')
    } catch (error) {
      if (error instanceof LockHeldError)
        throw conflict(
          `${dataDir} is in use by process ${error.holder.pid}: stop the server before restoring into it`,
        )
      throw error
    }
    if (existsSync(clusterDir) && readdirSync(clusterDir).length > 0) {
      if (!live) throw conflict(`${clusterDir} already holds a database; restore into a new directory`)
      aside = `${clusterDir}.before-restore-${Date.now()}`
      say(`moving the live database aside to ${aside}`)
      await rename(clusterDir, aside)
    }
    say(`unpacking the data directory into ${clusterDir}`)
    let facts: DatabaseFacts
    try {
      const database = await openDatabase({
        config: {
          ...config.database,
          engine: 'pglite',
          poolSize: 1,
          preparedStatements: false,
          connectionString: undefined,
        },
        dataDir: clusterDir,
        loadDataDir: new Blob([await readFile(archive)]),
        logger: silent,
      })
      try {
        say('checking row counts against the manifest')
        facts = await databaseFacts(database.pool)
        await options.inspect?.(database.pool)
      } finally {
        await database.close()
      }
    } catch (error) {
      await rm(clusterDir, { recursive: true, force: true })
      if (aside) await rename(aside, clusterDir)
      aside = undefined
      throw new AppError(
        500,
        'RESTORE_FAILED',
        `Restore into ${clusterDir} failed: ${(error as Error).message}`,
      )
    }
    return {
      id: options.id,
      engine: 'pglite',
      target: dataDir,
      live,
      verify,
      integrity: compareFacts(manifest, facts),
    }
  } finally {
    lock?.release()
  }
}
