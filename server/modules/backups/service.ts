import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { BackupsTable } from '../../platform/db/schema.ts'
import { AppError, conflict, notFound } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { dumpDatabase, newBackupId } from './create.ts'
import { archiveName, type Manifest, manifestName, sha256File } from './manifest.ts'
import { retain } from './retention.ts'
import { VolumeFullError } from './store.ts'
import { backupStores } from './stores.ts'
import { scrub } from './tools.ts'
import { checkBackup, fetchBackup, stateOf, type VerifyReport } from './verify.ts'

/** Backups: create (to every store), list, verify, retention. Restoring is in restore.ts. */

type BackupRow = Selectable<BackupsTable>

export interface BackupView {
  id: string
  engine: 'postgres' | 'pglite'
  status: BackupRow['status']
  startedAt: string
  finishedAt: string | null
  sizeBytes: number | null
  sha256: string | null
  stores: string[]
  verifyState: BackupRow['verify_state']
  verifiedAt: string | null
  error: string | null
}

export interface BackupDetail extends BackupView {
  manifest: Manifest | null
  verifyReport: VerifyReport | null
}

const view = (row: BackupRow): BackupView => ({
  id: row.id,
  engine: row.engine,
  status: row.status,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
  sha256: row.sha256,
  stores: row.stores,
  verifyState: row.verify_state,
  verifiedAt: row.verified_at?.toISOString() ?? null,
  error: row.error,
})

const detail = (row: BackupRow): BackupDetail => ({
  ...view(row),
  manifest: row.manifest as Manifest | null,
  verifyReport: row.verify_report as VerifyReport | null,
})

export async function listBackups(ctx: AppContext, limit = 100): Promise<BackupView[]> {
  const rows = await ctx.db.selectFrom('backups').selectAll().orderBy('id', 'desc').limit(limit).execute()
  return rows.map(view)
}

async function row(ctx: AppContext, id: string): Promise<BackupRow> {
  const found = await ctx.db.selectFrom('backups').selectAll().where('id', '=', id).executeTakeFirst()
  if (!found) throw notFound(`No backup ${id}`)
  return found
}

export const getBackup = async (ctx: AppContext, id: string): Promise<BackupDetail> =>
  detail(await row(ctx, id))

const workDir = () => mkdtemp(path.join(tmpdir(), 'sentia-backup-'))

/**
 * Takes a backup now: dump with row counts of the same snapshot, manifest, a copy in every
 * store, then the row marked complete (or failed, with the error) and an audit entry.
 * 409 when another backup is running.
 */
export async function createBackup(
  ctx: AppContext,
  actor: Actor,
  request?: RequestFacts,
): Promise<BackupDetail> {
  const startedAt = ctx.clock.now()
  const id = newBackupId(startedAt)
  const engine = ctx.database.engine
  const dir = await workDir()
  let begun = false
  try {
    const { file, facts } = await dumpDatabase(ctx, dir, async (insert) => {
      await insert(`insert into backups (id, engine, status, started_at) values ($1, $2, 'running', $3)`, [
        id,
        engine,
        startedAt,
      ])
      begun = true
    })
    const manifest: Manifest = {
      id,
      engine,
      serverVersion: facts.serverVersion,
      appVersion: ctx.config.version,
      migration: facts.migration,
      tables: facts.tables,
      sha256: await sha256File(file),
      sizeBytes: (await stat(file)).size,
      startedAt: startedAt.toISOString(),
      finishedAt: ctx.clock.now().toISOString(),
      format: engine === 'postgres' ? 'pg_dump-custom' : 'pglite-datadir',
    }
    const manifestFile = path.join(dir, 'manifest.json')
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`)
    const stores = backupStores(ctx)
    for (const store of stores) {
      // The archive first: a store that has the manifest has the whole backup.
      await store.put(archiveName(id, engine), file)
      await store.put(manifestName(id), manifestFile)
    }
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('backups')
        .set({
          status: 'complete',
          finished_at: manifest.finishedAt,
          size_bytes: manifest.sizeBytes,
          sha256: manifest.sha256,
          stores: stores.map((store) => store.kind),
          manifest: JSON.stringify(manifest),
        })
        .where('id', '=', id)
        .execute()
      await recordAudit(tx, {
        actor,
        action: 'backup_create',
        target: { type: 'backup', id },
        request,
        newValues: {
          engine,
          sizeBytes: manifest.sizeBytes,
          sha256: manifest.sha256,
          stores: stores.map((s) => s.kind),
        },
      })
    })
    ctx.logger.info({ backup: id, size_bytes: manifest.sizeBytes }, 'backup complete')
    return getBackup(ctx, id)
  } catch (error) {
    const message = scrub((error as Error).message, ctx.config.secrets)
    if (begun) {
      await ctx.db
        .updateTable('backups')
        .set({ status: 'failed', finished_at: ctx.clock.now(), error: message.slice(0, 2000) })
        .where('id', '=', id)
        .execute()
        .catch((failure) => ctx.logger.error({ err: failure }, 'could not mark the backup failed'))
      // Nothing half-written stays in a store.
      await removeFromStores(ctx, id).catch(() => {})
    }
    ctx.logger.error({ backup: id, err: message }, 'backup failed')
    if (error instanceof AppError) throw error
    if (error instanceof VolumeFullError)
      throw new AppError(507, 'BACKUP_VOLUME_FULL', `Backup ${id} failed: ${message}`)
    throw new AppError(500, 'BACKUP_FAILED', `Backup ${id} failed: ${message}`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * Checks a backup (checksum, size, archive readable, tables against the manifest) from the first
 * store that has it and records the verdict. A backup missing from every store is corrupt.
 */
export async function verifyBackup(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<VerifyReport> {
  const found = await row(ctx, id)
  if (found.status !== 'complete')
    throw conflict(`Backup ${id} is ${found.status}; only a complete backup is verified`)
  const dir = await workDir()
  try {
    let report: VerifyReport
    try {
      const fetched = await fetchBackup(backupStores(ctx), id, dir)
      const checks = await checkBackup(fetched, {
        sha256: found.sha256,
        sizeBytes: found.size_bytes === null ? null : Number(found.size_bytes),
      })
      report = {
        id,
        state: stateOf(checks),
        store: fetched.store.kind,
        checks,
        verifiedAt: ctx.clock.now().toISOString(),
      }
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'BACKUP_NOT_FOUND') throw error
      report = {
        id,
        state: 'corrupt',
        store: null,
        checks: [{ name: 'present', ok: false, detail: 'no backup store has it' }],
        verifiedAt: ctx.clock.now().toISOString(),
      }
    }
    await ctx.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('backups')
        .set({
          verify_state: report.state,
          verified_at: report.verifiedAt,
          verify_report: JSON.stringify(report),
        })
        .where('id', '=', id)
        .execute()
      await recordAudit(tx, {
        actor,
        action: 'backup_verify',
        target: { type: 'backup', id },
        request,
        oldValues: { verifyState: found.verify_state },
        newValues: {
          verifyState: report.state,
          failed: report.checks.filter((c) => !c.ok).map((c) => c.name),
        },
      })
    })
    return report
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function removeFromStores(ctx: AppContext, id: string): Promise<void> {
  for (const store of backupStores(ctx)) {
    for (const entry of await store.list(`${id}/`)) await store.delete(entry.name)
  }
}

/**
 * Applies BACKUP_KEEP_DAILY/WEEKLY/MONTHLY: deletes every backup the policy does not keep from
 * the stores and the table, each audited. Returns the ids deleted.
 */
export async function applyRetention(
  ctx: AppContext,
  actor: Actor = { type: 'system', id: 'retention' },
): Promise<string[]> {
  const rows = await ctx.db.selectFrom('backups').select(['id', 'status', 'started_at']).execute()
  const { remove } = retain(
    rows.map((r) => ({ id: r.id, status: r.status, startedAt: r.started_at })),
    ctx.config.backups.keep,
    ctx.clock.now(),
  )
  for (const id of remove) {
    await removeFromStores(ctx, id)
    await ctx.db.transaction().execute(async (tx) => {
      const deleted = await tx
        .deleteFrom('backups')
        .where('id', '=', id)
        .returning(['status', 'started_at'])
        .executeTakeFirst()
      if (!deleted) return
      await recordAudit(tx, {
        actor,
        action: 'backup_delete',
        target: { type: 'backup', id },
        oldValues: { status: deleted.status, startedAt: deleted.started_at.toISOString() },
        newValues: { reason: 'retention', keep: ctx.config.backups.keep },
      })
    })
  }
  if (remove.length) ctx.logger.info({ deleted: remove }, 'backup retention')
  return remove
}

/** The audit entry of a restore (the CLI records it in the live database when it can open it). */
export async function recordRestore(
  ctx: AppContext,
  result: {
    id: string
    target: string
    live: boolean
    integrity: { ok: boolean }
    verify: { state: string }
  },
  actor: Actor,
): Promise<void> {
  await recordAudit(ctx.db, {
    actor,
    action: 'backup_restore',
    target: { type: 'backup', id: result.id },
    newValues: {
      target: result.target,
      live: result.live,
      integrityOk: result.integrity.ok,
      verifyState: result.verify.state,
    },
  })
}
