import type { Command } from 'commander'
import { type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import type { MaintenanceReport, MaintenanceRun } from './service.ts'

/**
 * `db:maintenance` (the maintenance jobs' recent runs and the bloat advice, from the local
 * database or, with --url, the API) and `db:maintenance:run <job>` (one job now, locally).
 */

const service = () => import('./service.ts')

/** A detail value in a word: a list of indexes by their names, other lists by their length. */
function word(value: unknown): string {
  if (Array.isArray(value))
    return value.every((item) => typeof item?.index === 'string')
      ? value.map((item) => item.index).join(',') || 'none'
      : String(value.length)
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)
}

/** A run's detail in one line: `days=90 deleted=12`; a failed run's error. */
function summary(run: MaintenanceRun): string {
  if (run.error) return run.error
  return Object.entries(run.detail ?? {})
    .map(([key, value]) => `${key}=${word(value)}`)
    .join(' ')
}

function runRows(runs: MaintenanceRun[]) {
  return runs.map((run) => ({
    job: run.job,
    started: run.startedAt,
    duration: run.durationMs === null ? '' : `${run.durationMs} ms`,
    outcome: run.outcome,
    detail: summary(run).slice(0, 120),
  }))
}

const RUN_COLUMNS = ['job', 'started', 'duration', 'outcome', 'detail']

/** The report as people read it: jobs, recent runs, then the advice (or that there is none). */
export function printReport(report: MaintenanceReport): void {
  console.log(`Maintenance jobs (${report.engine}):`)
  printTable(
    report.jobs.map((job) => ({ job: job.name, schedule: job.schedule ?? 'off' })),
    ['job', 'schedule'],
  )
  console.log('\nRecent runs:')
  if (report.runs.length === 0) console.log('none yet')
  else printTable(runRows(report.runs), RUN_COLUMNS)
  const advice = report.bloat.filter((table) => table.advice.length > 0)
  console.log('\nAdvice:')
  if (advice.length === 0) console.log('none: no table or index needs maintenance')
  else
    printTable(
      advice.flatMap((table) =>
        table.advice.map((statement) => ({
          table: table.table,
          dead: `${table.deadTuples} (${Math.round(table.deadRatio * 100)} %)`,
          'last analyze': table.lastAnalyze ?? table.lastAutoanalyze ?? 'never',
          run: `${statement};`,
        })),
      ),
      ['table', 'dead', 'last analyze', 'run'],
    )
}

export function registerDbMaintenanceCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('db:maintenance')
      .description('recent runs of the database maintenance jobs, and VACUUM/ANALYZE/REINDEX advice')
      .option('--per-job <n>', 'runs per job (1 to 50)', '5'),
  ).action(async (options: RemoteOptions & { perJob: string }) => {
    const perJob = Number(options.perJob)
    if (!Number.isInteger(perJob) || perJob < 1 || perJob > 50)
      throw new CliError('--per-job must be 1 to 50')
    const report = options.url
      ? await remoteFor(options)<MaintenanceReport>('GET', `/api/ops/database/maintenance?perJob=${perJob}`)
      : await withContext(async (ctx) => (await service()).maintenanceReport(ctx, perJob))
    if (options.json) printJson(report)
    else printReport(report)
  })

  program
    .command('db:maintenance:run')
    .description(
      'run one maintenance job now on the local database: analyze, reindex, or a retention job (e.g. audit.retention)',
    )
    .argument('<job>', 'the job name')
    .option('--json', 'print the run as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      await withContext(async (ctx) => {
        const { maintenanceJob, runMaintenanceJob, latestRuns } = await service()
        let job: string
        try {
          job = maintenanceJob(name).name
        } catch (error) {
          throw new CliError((error as Error).message, 2)
        }
        let run: MaintenanceRun
        try {
          run = await runMaintenanceJob(ctx, job)
        } catch (error) {
          // The failure is recorded: show that record, then exit non-zero.
          const [failed] = await latestRuns(ctx, { perJob: 1, job })
          if (failed) options.json ? printJson(failed) : printTable(runRows([failed]), RUN_COLUMNS)
          throw new CliError(`${job} failed: ${(error as Error).message}`)
        }
        if (options.json) printJson(run)
        else printTable(runRows([run]), RUN_COLUMNS)
      })
    })
}
