import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { MaintenanceOutcome } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { JobDefinition } from '../../platform/jobs/jobs.ts'
import { auditRetentionJob } from '../audit/jobs.ts'
import { errorsRetentionJob } from '../errors/jobs.ts'
import { retentionJob as housekeepingRetentionJob } from '../housekeeping/jobs.ts'
import { metricsRetentionJob } from '../monitoring/jobs.ts'
import { retentionJob as notificationsRetentionJob } from '../notifications/jobs.ts'
import { databaseBloat, type TableBloat } from './bloat.ts'
import { analyzeJob, reindexJob } from './jobs.ts'

/** The jobs whose runs are recorded in db_maintenance_runs (each wraps its work in recordRun). */
export const MAINTENANCE_JOBS: readonly JobDefinition[] = [
  analyzeJob,
  reindexJob,
  auditRetentionJob,
  housekeepingRetentionJob,
  metricsRetentionJob,
  errorsRetentionJob,
  notificationsRetentionJob,
]

export interface MaintenanceRun {
  id: string
  job: string
  instance: string
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  /** `running` until the run ends (or forever, if its process died during it). */
  outcome: MaintenanceOutcome | 'running'
  detail: Record<string, unknown> | null
  error: string | null
}

export interface MaintenanceJob {
  name: string
  description: string
  /** Cron expression (UTC), or null when not scheduled. */
  schedule: string | null
}

export interface MaintenanceReport {
  engine: 'postgres' | 'pglite'
  jobs: MaintenanceJob[]
  runs: MaintenanceRun[]
  bloat: TableBloat[]
}

interface RunRow {
  id: string
  job: string
  instance: string
  started_at: Date
  finished_at: Date | null
  duration_ms: number | null
  outcome: MaintenanceOutcome | null
  detail: Record<string, unknown> | null
  error: string | null
}

/** The latest `perJob` runs of each job (or of `job`), by job then newest first. */
export async function latestRuns(
  ctx: AppContext,
  { perJob = 5, job }: { perJob?: number; job?: string } = {},
): Promise<MaintenanceRun[]> {
  const { rows } = await sql<RunRow>`
    select id::text, job, instance, started_at, finished_at, duration_ms, outcome, detail, error
    from (
      select r.*, row_number() over (partition by job order by started_at desc, id desc) as n
      from db_maintenance_runs r
      where ${job === undefined ? sql`true` : sql`job = ${job}`}
    ) latest
    where n <= ${perJob}
    order by job, started_at desc, id desc`.execute(ctx.db)
  return rows.map((row) => ({
    id: row.id,
    job: row.job,
    instance: row.instance,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    durationMs: row.duration_ms,
    outcome: row.outcome ?? 'running',
    detail: row.detail,
    error: row.error,
  }))
}

/** The maintenance jobs with their schedules, their latest runs, and the bloat report with advice. */
export async function maintenanceReport(ctx: AppContext, perJob = 5): Promise<MaintenanceReport> {
  return {
    engine: ctx.database.engine,
    jobs: MAINTENANCE_JOBS.map((job) => ({
      name: job.name,
      description: job.description,
      schedule: (typeof job.schedule === 'function' ? job.schedule(ctx.config) : job.schedule) ?? null,
    })),
    runs: await latestRuns(ctx, { perJob }),
    bloat: await databaseBloat(ctx),
  }
}

/** The maintenance job called `name` (or `dbmaintenance.<name>`: `analyze`, `reindex`). */
export function maintenanceJob(name: string): JobDefinition {
  const job = MAINTENANCE_JOBS.find((j) => j.name === name || j.name === `dbmaintenance.${name}`)
  if (!job)
    throw new AppError(
      404,
      'UNKNOWN_JOB',
      `no maintenance job "${name}"; one of ${MAINTENANCE_JOBS.map((j) => j.name).join(', ')}`,
    )
  return job
}

/** Runs a maintenance job now in this process (not through the queue); the run is recorded. */
export async function runMaintenanceJob(ctx: AppContext, name: string): Promise<MaintenanceRun> {
  const job = maintenanceJob(name)
  await job.handler({}, ctx)
  const [run] = await latestRuns(ctx, { perJob: 1, job: job.name })
  if (!run) throw new Error(`${job.name} recorded no run`)
  return run
}
