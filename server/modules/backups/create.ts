import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { AppContext } from '../../context.ts'
import { conflict } from '../../platform/http/errors.ts'
import { ARCHIVE, type DatabaseFacts, databaseFacts } from './manifest.ts'
import { checkDumpVersion, databaseName, libpqEnv, run, scrub, toolMajor } from './tools.ts'

/** Taking the dump itself, with the row counts of the same snapshot, on each engine. */

/** Key of the session advisory lock that lets one backup run at a time on a PostgreSQL server. */
const LOCK_KEY = 7_311_204_117

/** Backups in progress on an embedded database (one process owns it). */
const running = new WeakSet<object>()

/** `bk_20260302T020000Z_a1b2c3`: sorts by start time. */
export function newBackupId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z')
  return `bk_${stamp}_${randomBytes(3).toString('hex')}`
}

const alreadyRunning = () => conflict('A backup is already running; try again when it has finished')

/**
 * Dumps the database into `dir` (`data.dump` or `data.tar.gz`) after `begin` has recorded the
 * backup as running; returns the facts counted in the dump's snapshot.
 */
export async function dumpDatabase(
  ctx: AppContext,
  dir: string,
  begin: (insert: (text: string, values: unknown[]) => Promise<unknown>) => Promise<void>,
): Promise<{ file: string; facts: DatabaseFacts }> {
  return ctx.database.engine === 'pglite' ? dumpPglite(ctx, dir, begin) : dumpPostgres(ctx, dir, begin)
}

/**
 * pg_dump -Fc of an exported snapshot: the counts run, while pg_dump does, in the REPEATABLE READ
 * transaction that exports it and stays open until pg_dump is done, so both see the same data.
 */
async function dumpPostgres(
  ctx: AppContext,
  dir: string,
  begin: (insert: (text: string, values: unknown[]) => Promise<unknown>) => Promise<void>,
): Promise<{ file: string; facts: DatabaseFacts }> {
  const url = ctx.config.database.connectionString!
  const client = await ctx.database.pool.connect()
  let locked = false
  let broken = false
  try {
    const { rows } = await client.query('show server_version_num')
    checkDumpVersion(await toolMajor('pg_dump'), Number(rows[0].server_version_num))
    const lock = await client.query('select pg_try_advisory_lock($1) as ok', [LOCK_KEY])
    if (!lock.rows[0].ok) throw alreadyRunning()
    locked = true
    await begin((text, values) => client.query(text, values))
    await client.query('begin isolation level repeatable read, read only')
    try {
      const snapshot = (await client.query('select pg_export_snapshot() as id')).rows[0].id as string
      const file = path.join(dir, ARCHIVE.postgres)
      // pg_dump reads the snapshot on its own connection while this one counts the rows in it.
      const dumping = run(
        'pg_dump',
        [
          '--format=custom',
          `--snapshot=${snapshot}`,
          '--no-password',
          '--file',
          file,
          '--dbname',
          databaseName(url),
        ],
        { env: libpqEnv(url) },
      )
      // Settled both ways, so a failed count never ends the snapshot under a running pg_dump.
      const [dumped, counted] = await Promise.allSettled([dumping, databaseFacts(client)])
      if (dumped.status === 'rejected') throw dumped.reason
      if (counted.status === 'rejected') throw counted.reason
      const [dump, facts] = [dumped.value, counted.value]
      if (dump.code !== 0)
        throw new Error(`pg_dump failed: ${scrub(dump.stderr.trim().slice(-1000), ctx.config.secrets)}`)
      await client.query('commit')
      return { file, facts }
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true
      })
      throw error
    }
  } finally {
    if (locked) await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => (broken = true))
    // A client that may still hold the lock is closed rather than returned to the pool.
    client.release(broken)
  }
}

/**
 * The embedded engine's data directory as a gzipped tar. The pool's only connection is held
 * while counting and dumping, so nothing else runs in between.
 */
async function dumpPglite(
  ctx: AppContext,
  dir: string,
  begin: (insert: (text: string, values: unknown[]) => Promise<unknown>) => Promise<void>,
): Promise<{ file: string; facts: DatabaseFacts }> {
  const key = ctx.database
  if (running.has(key)) throw alreadyRunning()
  running.add(key)
  try {
    const client = await ctx.database.pool.connect()
    try {
      await begin((text, values) => client.query(text, values))
      const facts = await databaseFacts(client)
      const blob = await ctx.database.pglite!.dumpDataDir('gzip')
      const file = path.join(dir, ARCHIVE.pglite)
      await writeFile(file, Buffer.from(await blob.arrayBuffer()))
      return { file, facts }
    } finally {
      client.release()
    }
  } finally {
    running.delete(key)
  }
}
