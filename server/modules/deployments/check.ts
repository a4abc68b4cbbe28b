import type { AppContext } from '../../context.ts'
import { slotSeconds } from '../monitoring/store.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { compareWindows, type RegressionThresholds } from './regression.ts'
import {
  claimCheck,
  type DeploymentRow,
  lastGood,
  newest,
  nextLive,
  pending,
  releaseCheck,
  writeVerdict,
} from './repo.ts'
import type { CheckDetailView } from './schemas.ts'
import { readWindow, resolutionFor } from './traffic.ts'

/**
 * The regression check: once the window after a deployment has passed, its error rate and p95
 * response time are compared with the window of the same length before it (`regression.ts`),
 * from the samples the monitoring module stores. Each deployment is checked once across
 * replicas (a claim with a lease on its row); a deployment still pending after a restart is
 * checked at the next run, however late, as long as its samples are kept.
 */

/** How long a claim holds; a process that died mid-check leaves it to another after this. */
const CLAIM_MS = 5 * 60_000
/** Pending deployments looked at per run, oldest first. */
const BATCH = 50

export interface CheckReport {
  checked: number
  ok: number
  regressed: number
  insufficientData: number
  skipped: number
  waiting: number
}

type Verdict = {
  state: 'ok' | 'regressed' | 'insufficient_data' | 'skipped'
  detail: CheckDetailView
  lastGoodId: string | null
}

export function thresholdsOf(ctx: AppContext): RegressionThresholds {
  const s = ctx.config.deployments
  return {
    minRequests: s.minRequests,
    errorRatePoints: s.errorRatePoints,
    errorRateFactor: s.errorRateFactor,
    p95Factor: s.p95Factor,
    p95Ms: s.p95Ms,
  }
}

/** The windows of a deployment: [start − L, start) before and [end, end + L) after. */
export interface Windows {
  before: { from: number; to: number }
  after: { from: number; to: number }
  /** L: the configured window, cut so neither window reaches into another deployment's time. */
  lengthMs: number
}

/**
 * The windows of a finished deployment. The before-window ends when it started, the after-window
 * begins when it finished (a rolling deploy serves both releases in between). Both last the
 * configured window, shortened to the time since the previous deployment finished and until the
 * next one started, so each compares this release with the one it replaced.
 */
export function windowsOf(
  row: { started_at: Date; finished_at: Date | null },
  neighbours: { previousEnd: number | null; nextStart: number | null },
  windowMs: number,
): Windows {
  const start = row.started_at.getTime()
  const end = (row.finished_at ?? row.started_at).getTime()
  let length = windowMs
  if (neighbours.previousEnd !== null) length = Math.min(length, start - neighbours.previousEnd)
  if (neighbours.nextStart !== null) length = Math.min(length, neighbours.nextStart - end)
  length = Math.max(0, length)
  return {
    before: { from: start - length, to: start },
    after: { from: end, to: end + length },
    lengthMs: length,
  }
}

const skipped = (reason: string): Verdict => ({
  state: 'skipped',
  detail: { reasons: [reason] },
  lastGoodId: null,
})

async function neighboursOf(ctx: AppContext, row: DeploymentRow) {
  const previous = await newest(ctx.db, row.environment, {
    live: true,
    before: { startedAt: row.started_at, id: row.id },
  })
  const next = await nextLive(ctx.db, row)
  return {
    previousEnd: previous ? (previous.finished_at ?? previous.started_at).getTime() : null,
    nextStart: next ? next.started_at.getTime() : null,
  }
}

/**
 * How one pending deployment is to be judged: `wait` while it cannot be yet (still running, or
 * its after-window, plus time for the last sample in it to be stored, has not passed), else the
 * computation of its verdict. Deciding reads only, so waiting deployments are never claimed.
 */
async function planCheck(
  ctx: AppContext,
  row: DeploymentRow,
  now: number,
): Promise<'wait' | (() => Promise<Verdict>)> {
  if (row.status === 'failed')
    return async () => skipped('the deployment failed, so the release before it kept running')
  if (row.environment !== ctx.config.env)
    return async () =>
      skipped(`this instance stores the metrics of environment ${ctx.config.env}, not ${row.environment}`)
  if (row.status === 'started') return 'wait'
  const windows = windowsOf(row, await neighboursOf(ctx, row), ctx.config.deployments.windowMinutes * 60_000)
  const settleMs = 2 * slotSeconds(ctx.config.monitoring) * 1000
  if (now < windows.after.to + settleMs) return 'wait'
  return () => judge(ctx, row, windows, now)
}

async function judge(ctx: AppContext, row: DeploymentRow, windows: Windows, now: number): Promise<Verdict> {
  const base = { windowSeconds: windows.lengthMs / 1000 }
  if (windows.lengthMs === 0)
    return {
      state: 'insufficient_data',
      detail: { ...base, reasons: ['another deployment came straight before or after it'] },
      lastGoodId: null,
    }
  const resolution = resolutionFor(ctx, windows.before.from, now)
  if (!resolution)
    return {
      state: 'insufficient_data',
      detail: { ...base, reasons: ['the samples of that time are no longer kept'] },
      lastGoodId: null,
    }
  const thresholds = thresholdsOf(ctx)
  const before = await readWindow(ctx, windows.before, resolution)
  const after = await readWindow(ctx, windows.after, resolution)
  const comparison = compareWindows(before.traffic, after.traffic, thresholds)
  const good = comparison.state === 'regressed' ? await lastGood(ctx.db, row) : undefined
  const span = (w: { from: number; to: number }) => ({
    from: new Date(w.from).toISOString(),
    to: new Date(w.to).toISOString(),
  })
  return {
    state: comparison.state,
    lastGoodId: good?.id ?? null,
    detail: {
      ...base,
      resolution: before.resolution,
      before: { ...span(windows.before), ...comparison.before },
      after: { ...span(windows.after), ...comparison.after },
      errorRateRegressed: comparison.errorRateRegressed,
      p95Regressed: comparison.p95Regressed,
      reasons: comparison.reasons,
      thresholds,
    },
  }
}

/**
 * Checks every pending deployment whose after-window has passed, oldest first (so a
 * deployment's predecessor has its verdict before the last good release is looked for).
 */
export async function checkDeployments(ctx: AppContext): Promise<CheckReport> {
  const report: CheckReport = { checked: 0, ok: 0, regressed: 0, insufficientData: 0, skipped: 0, waiting: 0 }
  for (const row of await pending(ctx.db, BATCH)) {
    const now = ctx.clock.ms()
    const plan = await planCheck(ctx, row, now)
    if (plan === 'wait') {
      report.waiting += 1
      continue
    }
    if (!(await claimCheck(ctx.db, row.id, ctx.instanceId, new Date(now), new Date(now + CLAIM_MS)))) continue
    let verdict: Verdict
    try {
      verdict = await plan()
    } catch (error) {
      // One deployment that cannot be checked must not hold up the others; it is tried again next run.
      await releaseCheck(ctx.db, row.id, ctx.instanceId)
      ctx.logger.error({ err: error, deployment: row.id }, 'deployment check failed')
      continue
    }
    const written = await writeVerdict(ctx.db, row.id, ctx.instanceId, {
      state: verdict.state,
      checkedAt: new Date(now),
      detail: verdict.detail as unknown as Record<string, unknown>,
      lastGoodId: verdict.lastGoodId,
    })
    if (!written) continue
    report.checked += 1
    if (verdict.state === 'ok') report.ok += 1
    else if (verdict.state === 'regressed') report.regressed += 1
    else if (verdict.state === 'insufficient_data') report.insufficientData += 1
    else report.skipped += 1
    if (verdict.state === 'regressed')
      ctx.logger.warn(
        {
          deployment: row.id,
          version: row.version,
          environment: row.environment,
          reasons: verdict.detail.reasons,
          lastGood: verdict.lastGoodId,
        },
        'deployment regressed',
      )
    await publishBusinessEvent(ctx, 'deployment.changed', { id: row.id })
  }
  return report
}
