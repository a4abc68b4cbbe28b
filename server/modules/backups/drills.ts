import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Selectable } from 'kysely'
import pg from 'pg'
import type { AppContext } from '../../context.ts'
import type { BackupDrillsTable } from '../../platform/db/schema.ts'
import { AppError, conflict } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import type { Manifest, Queryable } from './manifest.ts'
import { newestVerifiedBackupAgeSeconds } from './metrics.ts'
import { type IntegrityReport, restoreBackup } from './restore.ts'
import { verifyBackup } from './service.ts'
import { backupStores } from './stores.ts'
import { databaseName, describeUrl, scrub } from './tools.ts'

/**
 * Recovery drills: the newest complete backup not known corrupt is verified, restored into a
 * scratch database (PostgreSQL: `<db>_drill_<hex>` on the same server; embedded: a temporary
 * directory), checked (row counts, migration, the runbook's critical queries) and dropped. The
 * measured RTO is the real elapsed time from the drill's start to that usable database; the
 * measured RPO is the drill's start (ctx.clock) minus the backup's snapshot time.
 */

type DrillRow = Selectable<BackupDrillsTable>

export interface QueryResult {
  name: string
  ok: boolean
  detail: string
}

export interface DrillReport {
  verify?: { state: string; failed: string[] }
  integrity?: IntegrityReport
  queries?: QueryResult[]
  /** Where the scratch copy went (no credentials) and whether it was removed. */
  scratch?: { target: string; removed: boolean }
}

export interface DrillView {
  id: string
  backupId: string | null
  startedAt: string
  finishedAt: string | null
  outcome: 'passed' | 'failed'
  rtoSeconds: number | null
  rpoSeconds: number | null
  rtoMet: boolean | null
  rpoMet: boolean | null
  error: string | null
  report: DrillReport
}

export interface DrillList {
  items: DrillView[]
  objectives: { rtoSeconds: number; rpoSeconds: number }
  newestVerifiedBackupAgeSeconds: number | null
}

/** Key of the session advisory lock that lets one drill run at a time on a PostgreSQL server. */
const LOCK_KEY = 7_311_204_118

/** Drills in progress on an embedded database (one process owns it). */
const running = new WeakSet<object>()

const view = (ctx: AppContext, row: DrillRow): DrillView => {
  const { rtoSeconds, rpoSeconds } = ctx.config.backups.objectives
  return {
    id: String(row.id),
    backupId: row.backup_id,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    outcome: row.outcome,
    rtoSeconds: row.rto_seconds,
    rpoSeconds: row.rpo_seconds,
    rtoMet: row.rto_seconds === null ? null : row.rto_seconds <= rtoSeconds,
    rpoMet: row.rpo_seconds === null ? null : row.rpo_seconds <= rpoSeconds,
    error: row.error,
    report: row.report as DrillReport,
  }
}

/** Drills, newest first, with the objectives and the newest verified backup's age. */
export async function listDrills(ctx: AppContext, limit = 20): Promise<DrillList> {
  const rows = await ctx.db
    .selectFrom('backup_drills')
    .selectAll()
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
  return {
    items: rows.map((row) => view(ctx, row)),
    objectives: ctx.config.backups.objectives,
    newestVerifiedBackupAgeSeconds: await newestVerifiedBackupAgeSeconds(ctx),
  }
}

/** The runbook's critical queries on the restored database, against the backup's manifest. */
export async function criticalQueries(db: Queryable, manifest: Manifest): Promise<QueryResult[]> {
  const results: QueryResult[] = []
  const attempt = async (name: string, work: () => Promise<Omit<QueryResult, 'name'>>) => {
    try {
      results.push({ name, ...(await work()) })
    } catch (error) {
      results.push({ name, ok: false, detail: (error as Error).message.slice(0, 500) })
    }
  }
  for (const table of ['users', 'orders']) {
    await attempt(`count ${table}`, async () => {
      const n = Number((await db.query(`select count(*)::bigint as n from ${table}`)).rows[0].n)
      const expected = manifest.tables[table]
      return { ok: n === expected, detail: `${n} rows (manifest: ${expected ?? 'none'})` }
    })
  }
  await attempt('latest order', async () => {
    const { rows } = await db.query(
      'select id, placed_at from orders order by placed_at desc, id desc limit 1',
    )
    const expected = (manifest.tables.orders ?? 0) > 0
    const found = rows[0]
    return {
      ok: Boolean(found) === expected,
      detail: found ? `${found.id} placed ${new Date(found.placed_at).toISOString()}` : 'no orders',
    }
  })
  await attempt('migration', async () => {
    const { rows } = await db.query('select name from schema_migrations order by name desc limit 1')
    const name = rows[0]?.name ?? null
    return { ok: name === manifest.migration, detail: `${name} (manifest: ${manifest.migration})` }
  })
  return results
}

/** One drill at a time: a session advisory lock on PostgreSQL, the process on the embedded engine. */
async function exclusively<T>(ctx: AppContext, work: () => Promise<T>): Promise<T> {
  const busy = () => conflict('A recovery drill is already running; try again when it has finished')
  if (ctx.database.engine === 'pglite') {
    if (running.has(ctx.database)) throw busy()
    running.add(ctx.database)
    try {
      return await work()
    } finally {
      running.delete(ctx.database)
    }
  }
  const client = await ctx.database.pool.connect()
  let broken = false
  try {
    const lock = await client.query('select pg_try_advisory_lock($1) as ok', [LOCK_KEY])
    if (!lock.rows[0].ok) throw busy()
    try {
      return await work()
    } finally {
      await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => (broken = true))
    }
  } finally {
    client.release(broken)
  }
}

interface Scratch {
  target: string
  shown: string
  remove(): Promise<void>
}

/** A scratch target nobody uses: a new database on the live server, or a new temporary directory. */
async function scratchTarget(ctx: AppContext): Promise<Scratch> {
  if (ctx.database.engine === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'sentia-drill-'))
    return { target: dir, shown: dir, remove: () => rm(dir, { recursive: true, force: true }) }
  }
  const live = ctx.config.database.connectionString!
  const name = `${databaseName(live).slice(0, 40)}_drill_${randomBytes(4).toString('hex')}`
  const url = new URL(live)
  url.pathname = `/${encodeURIComponent(name)}`
  const admin = new URL(live)
  admin.pathname = '/postgres'
  return {
    target: url.toString(),
    shown: describeUrl(url.toString()),
    async remove() {
      const client = new pg.Client({ connectionString: admin.toString(), application_name: 'sentia-drill' })
      await client.connect()
      try {
        await client.query(`drop database if exists "${name.replace(/"/g, '""')}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * Runs a drill now and records it (a failed drill too). 409 NO_BACKUP without a complete backup
 * that is not known corrupt; 409 CONFLICT while another drill runs.
 */
export function runDrill(ctx: AppContext, actor: Actor, request?: RequestFacts): Promise<DrillView> {
  return exclusively(ctx, () => drill(ctx, actor, request))
}

async function drill(ctx: AppContext, actor: Actor, request?: RequestFacts): Promise<DrillView> {
  const backup = await ctx.db
    .selectFrom('backups')
    .select(['id', 'started_at', 'manifest'])
    .where('status', '=', 'complete')
    .where('verify_state', '<>', 'corrupt')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!backup)
    throw new AppError(
      409,
      'NO_BACKUP',
      'There is no complete backup that is not known to be corrupt to drill',
    )
  const startedAt = ctx.clock.now()
  const t0 = performance.now()
  const rpoSeconds = (startedAt.getTime() - backup.started_at.getTime()) / 1000
  const report: DrillReport = {}
  let rtoSeconds: number | null = null
  let error: string | null = null
  try {
    const verified = await verifyBackup(ctx, backup.id, actor, request)
    report.verify = { state: verified.state, failed: verified.checks.filter((c) => !c.ok).map((c) => c.name) }
    if (verified.state !== 'good')
      throw new Error(`backup ${backup.id} is corrupt: ${report.verify.failed.join(', ')} failed`)
    const scratch = await scratchTarget(ctx)
    report.scratch = { target: scratch.shown, removed: false }
    let usableAt: number | undefined
    try {
      const restored = await restoreBackup(ctx.config, backupStores(ctx), {
        id: backup.id,
        target: scratch.target,
        inspect: async (db) => {
          report.queries = await criticalQueries(db, backup.manifest as unknown as Manifest)
          usableAt = performance.now()
        },
      })
      report.integrity = restored.integrity
    } finally {
      await scratch.remove().then(
        () => (report.scratch!.removed = true),
        (failure) => ctx.logger.error({ err: failure, target: scratch.shown }, 'drill: scratch not removed'),
      )
    }
    const failed = [
      ...(report.integrity.ok ? [] : ['integrity (row counts or migration differ from the manifest)']),
      ...(report.queries ?? []).filter((q) => !q.ok).map((q) => `${q.name}: ${q.detail}`),
    ]
    if (failed.length) throw new Error(`the restored database failed: ${failed.join('; ')}`)
    rtoSeconds = ((usableAt ?? performance.now()) - t0) / 1000
  } catch (failure) {
    error = scrub((failure as Error).message, ctx.config.secrets).slice(0, 2000)
  }
  const outcome = error === null ? 'passed' : 'failed'
  const row = await ctx.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('backup_drills')
      .values({
        backup_id: backup.id,
        started_at: startedAt,
        finished_at: ctx.clock.now(),
        outcome,
        rto_seconds: rtoSeconds,
        rpo_seconds: rpoSeconds,
        report: JSON.stringify(report),
        error,
        actor: actor.id === null ? actor.type : `${actor.type}:${actor.id}`,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'backup_drill',
      target: { type: 'backup', id: backup.id },
      request,
      newValues: { drill: String(inserted.id), outcome, rtoSeconds, rpoSeconds, error },
    })
    return inserted
  })
  const log = {
    drill: String(row.id),
    backup: backup.id,
    outcome,
    rto_seconds: rtoSeconds,
    rpo_seconds: rpoSeconds,
  }
  if (outcome === 'passed') ctx.logger.info(log, 'recovery drill passed')
  else ctx.logger.error({ ...log, err: error }, 'recovery drill failed')
  return view(ctx, row)
}
