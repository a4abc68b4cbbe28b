import { existsSync } from 'node:fs'
import path from 'node:path'
import { createInterface } from 'node:readline/promises'
import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import { type Config, loadConfig } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import { LockHeldError } from '../../platform/db/lockfile.ts'
import type { DrillView } from './drills.ts'
import type { RestoreResult } from './restore.ts'
import type { BackupView } from './service.ts'
import type { VerifyReport } from './verify.ts'

/**
 * `backup:create`, `backup:list`, `backup:verify`, `backup:drill` on the local database or, with
 * --url, a running instance; `backup:restore` needs neither the server nor the live database.
 */

const service = () => import('./service.ts')

/** The local database; on the embedded engine a running server holds it, so point at --url. */
async function local<T>(command: string, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  try {
    return await withContext(work)
  } catch (error) {
    if (error instanceof LockHeldError)
      throw new CliError(
        `${error.message}\nA running server holds the embedded database: ask it instead with --url, ` +
          `e.g. sentia ${command} --url http://127.0.0.1:3000 --api-key KEY (an admin key)`,
      )
    throw error
  }
}

export function humanSize(bytes: number | null): string {
  if (bytes === null) return ''
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}

export function humanAge(from: string, now: number): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(from)) / 60_000))
  if (minutes < 60) return `${minutes}m`
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)}h`
  return `${Math.floor(minutes / 1440)}d`
}

function showList(items: BackupView[], json: boolean | undefined): void {
  if (json) {
    printJson({ items })
    return
  }
  const now = Date.now()
  printTable(
    items.map((b) => ({
      id: b.id,
      status: b.status,
      size: humanSize(b.sizeBytes),
      age: humanAge(b.startedAt, now),
      verified: b.verifyState,
      stores: b.stores.join(','),
      engine: b.engine,
    })),
    ['id', 'status', 'size', 'age', 'verified', 'stores', 'engine'],
  )
}

function showVerify(report: VerifyReport, json: boolean | undefined): void {
  if (json) printJson(report)
  else {
    printTable(
      report.checks.map((c) => ({ check: c.name, ok: c.ok ? 'ok' : 'FAILED', detail: c.detail })),
      ['check', 'ok', 'detail'],
    )
    process.stdout.write(`${report.id}: ${report.state === 'good' ? 'good' : 'CORRUPT'}\n`)
  }
  if (report.state !== 'good') throw new CliError(`backup ${report.id} is corrupt`)
}

const seconds = (value: number | null) => (value === null ? '-' : `${value.toFixed(1)} s`)

/** A drill's checks and measurements; exit code 1 when it failed. */
function showDrill(drill: DrillView, json: boolean | undefined): void {
  if (json) printJson(drill)
  else {
    printTable(
      (drill.report.queries ?? []).map((q) => ({
        query: q.name,
        ok: q.ok ? 'ok' : 'FAILED',
        detail: q.detail,
      })),
      ['query', 'ok', 'detail'],
    )
    const met = (ok: boolean | null) => (ok === null ? '' : ok ? ' (objective met)' : ' (OVER the objective)')
    process.stdout.write(
      `drill ${drill.id} of ${drill.backupId}: ${drill.outcome.toUpperCase()}
` +
        `measured RTO: ${seconds(drill.rtoSeconds)}${met(drill.rtoMet)}
` +
        `measured RPO: ${seconds(drill.rpoSeconds)}${met(drill.rpoMet)}
` +
        (drill.error ? `error: ${drill.error}\n` : ''),
    )
  }
  if (drill.outcome !== 'passed') throw new CliError(`recovery drill ${drill.id} failed`)
}

export interface RestoreCliOptions {
  target: string
  force?: boolean
  forceLive?: boolean
  yes?: boolean
  json?: boolean
}

/** Asks to type "overwrite" before overwriting the live database (or needs --yes without a terminal). */
async function confirmLive(options: RestoreCliOptions): Promise<boolean> {
  if (!options.forceLive) return false
  if (options.yes) return true
  if (!process.stdin.isTTY) throw new CliError('--force-live needs --yes when not run from a terminal')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await rl.question('This overwrites the live database. Type "overwrite" to go on: ')
    if (answer.trim() !== 'overwrite') throw new CliError('not confirmed: nothing was restored')
    return true
  } finally {
    rl.close()
  }
}

/** `backup:restore`: verify, restore, integrity report; exit code 1 when the counts or migration differ. */
export async function restoreCommand(
  config: Config,
  id: string,
  options: RestoreCliOptions,
): Promise<RestoreResult> {
  const { restoreBackup } = await import('./restore.ts')
  const { backupStores } = await import('./stores.ts')
  const forceLive = await confirmLive(options)
  const started = Date.now()
  const result = await restoreBackup(config, backupStores({ config }), {
    id,
    target: options.target,
    force: options.force,
    forceLive,
    progress: (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`),
  })
  await auditRestore(config, result)
  if (options.json) printJson(result)
  else {
    printTable(
      result.integrity.tables.map((t) => ({
        table: t.name,
        manifest: t.expected ?? '-',
        restored: t.actual ?? '-',
        ok: t.ok ? 'ok' : 'DIFFERS',
      })),
      ['table', 'manifest', 'restored', 'ok'],
    )
    const m = result.integrity.migration
    process.stdout.write(`migration: ${m.actual} (manifest: ${m.expected}) ${m.ok ? 'ok' : 'DIFFERS'}\n`)
    process.stdout.write(
      `${result.id} restored into ${result.target}: integrity ${result.integrity.ok ? 'OK' : 'FAILED'}\n`,
    )
  }
  if (!result.integrity.ok) throw new CliError('the restored database does not match the manifest')
  return result
}

/** Records the restore in the live database's audit log when it can be opened (best effort). */
async function auditRestore(config: Config, result: RestoreResult): Promise<void> {
  const embedded = config.database.engine === 'pglite'
  if (embedded && !existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION'))) return
  try {
    await withContext(async (ctx) => (await service()).recordRestore(ctx, result, cliActor))
  } catch (error) {
    process.stderr.write(
      `note: the restore is not in the audit log (${(error as Error).message.split('\n')[0]})\n`,
    )
  }
}

export function registerBackupCommands(program: Command): void {
  withRemoteOptions(
    program.command('backup:create').description('take a backup now, to every backup store (audited)'),
  ).action(async (options: RemoteOptions) => {
    const backup = options.url
      ? await remoteFor(options)<BackupView>('POST', '/api/backups')
      : await local('backup:create', async (ctx) => (await service()).createBackup(ctx, cliActor))
    showList([backup], options.json)
  })

  withRemoteOptions(
    program.command('backup:list').description('backups, newest first: id, size, age, verified state'),
  ).action(async (options: RemoteOptions) => {
    const items = options.url
      ? (await remoteFor(options)<{ items: BackupView[] }>('GET', '/api/backups')).items
      : await local('backup:list', async (ctx) => (await service()).listBackups(ctx))
    showList(items, options.json)
  })

  withRemoteOptions(
    program
      .command('backup:verify')
      .description(
        'check a backup: checksum, size, archive readable, contents against its manifest (audited)',
      )
      .argument('<id>', 'the backup'),
  ).action(async (id: string, options: RemoteOptions) => {
    const report = options.url
      ? await remoteFor(options)<VerifyReport>('POST', `/api/backups/${encodeURIComponent(id)}/verify`)
      : await local('backup:verify', async (ctx) => (await service()).verifyBackup(ctx, id, cliActor))
    showVerify(report, options.json)
  })

  withRemoteOptions(
    program
      .command('backup:drill')
      .description(
        'recovery drill: restore the newest backup into a scratch database, check it, measure RTO and RPO, drop it (audited; exit 1 when it fails)',
      ),
  ).action(async (options: RemoteOptions) => {
    const drill = options.url
      ? await remoteFor(options)<DrillView>('POST', '/api/backups/drills')
      : await local('backup:drill', async (ctx) => (await import('./drills.ts')).runDrill(ctx, cliActor))
    showDrill(drill, options.json)
  })

  program
    .command('backup:restore')
    .description(
      'restore a backup into a new database or data directory, then compare row counts (works while the server is down)',
    )
    .argument('<id>', 'the backup')
    .requiredOption(
      '--target <url|dir>',
      'a postgres:// URL (PostgreSQL backups) or a directory used as DATA_DIR (embedded)',
    )
    .option('--force', 'restore a backup that fails verification')
    .option('--force-live', 'overwrite the database the app is configured with (asks to confirm)')
    .option('--yes', 'confirm --force-live without asking')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: RestoreCliOptions) => {
      await restoreCommand(loadConfig(), id, options)
    })
}
