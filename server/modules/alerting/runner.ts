import type { AppContext } from '../../context.ts'
import { recordOutages } from './database-down.ts'
import { type EvaluationReport, evaluateAlerts } from './evaluate.ts'

/**
 * Runs the evaluation every ALERT_EVALUATION_SECONDS on each replica that runs background work,
 * and once across them: a replica starts an evaluation only by claiming the one evaluator row
 * (free when the last run finished at least half an interval ago, or has been stuck for five
 * minutes). pg-boss's cron ticks once a minute, too slowly for "resolved within one interval".
 */

const STUCK_MS = 5 * 60_000

export async function claimEvaluation(ctx: AppContext, now: Date): Promise<boolean> {
  const intervalMs = ctx.config.alerting.evaluationSeconds * 1000
  const claimed = await ctx.db
    .updateTable('alert_evaluator')
    .set({ started_at: now, finished_at: null, owner: ctx.instanceId })
    .where('id', '=', 1)
    .where((eb) =>
      eb.or([
        eb('started_at', 'is', null),
        eb.and([
          eb('finished_at', 'is not', null),
          eb('started_at', '<=', new Date(now.getTime() - intervalMs / 2)),
        ]),
        eb('started_at', '<', new Date(now.getTime() - STUCK_MS)),
      ]),
    )
    .returning('id')
    .executeTakeFirst()
  return claimed !== undefined
}

/**
 * Claims whose release failed (the database went away during the evaluation): released before
 * the next claim, or the claim row would hold every replica off for STUCK_MS.
 */
const unreleased = new WeakSet<AppContext>()

async function releaseClaim(ctx: AppContext): Promise<void> {
  await ctx.db
    .updateTable('alert_evaluator')
    .set({ finished_at: ctx.clock.now() })
    .where('id', '=', 1)
    .where('owner', '=', ctx.instanceId)
    .where('finished_at', 'is', null)
    .execute()
}

/**
 * One claimed evaluation, after recording the database outages this process saw;
 * `{ evaluated: false }` when another replica has this tick.
 */
export async function runEvaluation(ctx: AppContext): Promise<EvaluationReport> {
  if (unreleased.has(ctx)) {
    await releaseClaim(ctx)
    unreleased.delete(ctx)
  }
  if (!(await claimEvaluation(ctx, ctx.clock.now())))
    return { evaluated: false, rules: 0, opened: 0, fired: 0, resolved: 0, notifications: 0, durationMs: 0 }
  try {
    await recordOutages(ctx)
    return await evaluateAlerts(ctx)
  } finally {
    await releaseClaim(ctx).catch((error: unknown) => {
      unreleased.add(ctx)
      throw error
    })
  }
}

export class EvaluationLoop {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    if (this.ctx.config.alerting.evaluationSeconds <= 0) return
    this.#schedule()
  }

  /**
   * Ticks at 60% into each interval of the clock (…:06, :16, … for 10 s): the sampler stores its
   * readings in the middle of its slots, so with equal intervals an evaluation sees a sample about
   * a second after it was taken rather than up to an interval later.
   */
  #schedule(): void {
    if (this.#stopped) return
    const interval = this.ctx.config.alerting.evaluationSeconds * 1000
    const now = this.ctx.clock.ms()
    let delay = Math.floor(now / interval) * interval + interval * 0.6 - now
    if (delay < interval * 0.1) delay += interval
    this.#timer = setTimeout(() => {
      this.#running = this.#tick().finally(() => {
        this.#running = undefined
        this.#schedule()
      })
    }, delay)
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    try {
      const report = await runEvaluation(this.ctx)
      if (report.evaluated && (report.fired || report.resolved || report.notifications))
        this.ctx.logger.info(report, 'alerts evaluated')
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'alert evaluation failed')
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}
