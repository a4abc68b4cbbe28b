import type { AppContext } from '../../context.ts'
import type { MaintenanceOutcome } from '../../platform/db/schema.ts'
import { elapsedMs } from '../../platform/numbers.ts'

/** Runs are kept this long: each finished run deletes its own job's older runs. */
export const RUNS_RETENTION_DAYS = 400

const DAY_MS = 86_400_000

/** What a run did (rows deleted, indexes rebuilt…), stored as the run's `detail`. */
export type RunDetail = Record<string, unknown>

/** Returned by a run's work when it did nothing on purpose: recorded with outcome `skipped`. */
export class Skipped {
  constructor(
    readonly reason: string,
    readonly detail: RunDetail = {},
  ) {}
}

/** Thrown by a run's work that failed after doing part of it: its detail is recorded too. */
export class RunFailure extends Error {
  constructor(
    message: string,
    readonly detail: RunDetail,
  ) {
    super(message)
    this.name = 'RunFailure'
  }
}

/**
 * Runs `work` as one recorded run of `job` in `db_maintenance_runs`: a row when it starts (on
 * this instance), completed with its duration, outcome and detail when it ends. A failure is
 * recorded with its message and rethrown, so pg-boss retries the job (each attempt is a run).
 */
export async function recordRun(
  ctx: AppContext,
  job: string,
  work: () => Promise<RunDetail | Skipped>,
): Promise<RunDetail | Skipped> {
  const startedAt = ctx.clock.now()
  const started = performance.now()
  const { id } = await ctx.db
    .insertInto('db_maintenance_runs')
    .values({ job, instance: ctx.instanceId, started_at: startedAt })
    .returning('id')
    .executeTakeFirstOrThrow()
  const end = (outcome: MaintenanceOutcome, detail: RunDetail | null, error: string | null) =>
    finish(ctx, { id, job, startedAt, durationMs: elapsedMs(started), outcome, detail, error })
  let result: RunDetail | Skipped
  try {
    result = await work()
  } catch (error) {
    await end('failed', error instanceof RunFailure ? error.detail : null, messageOf(error))
    throw error
  }
  if (result instanceof Skipped) await end('skipped', { reason: result.reason, ...result.detail }, null)
  else await end('ok', result, null)
  return result
}

interface Finish {
  id: string
  job: string
  startedAt: Date
  durationMs: number
  outcome: MaintenanceOutcome
  detail: RunDetail | null
  error: string | null
}

/** Completes the run's row and prunes the job's old runs; never throws (the work is done). */
async function finish(ctx: AppContext, run: Finish): Promise<void> {
  try {
    await ctx.db
      .updateTable('db_maintenance_runs')
      .set({
        // The start plus the measured duration: consistent even under a test clock.
        finished_at: new Date(run.startedAt.getTime() + Math.round(run.durationMs)),
        duration_ms: Math.round(run.durationMs),
        outcome: run.outcome,
        detail: run.detail === null ? null : JSON.stringify(run.detail),
        error: run.error,
      })
      .where('id', '=', run.id)
      .execute()
    await ctx.db
      .deleteFrom('db_maintenance_runs')
      .where('job', '=', run.job)
      .where('started_at', '<', new Date(ctx.clock.ms() - RUNS_RETENTION_DAYS * DAY_MS))
      .execute()
  } catch (error) {
    ctx.logger.error({ err: error, job: run.job, run: run.id }, 'could not record a maintenance run')
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 4000)
}
