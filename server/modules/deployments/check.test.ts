import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { AppContext } from '../../context.ts'
import { ensureDefaultRules } from '../alerting/rules.ts'
import { runEvaluation } from '../alerting/runner.ts'
import { listAlerts } from '../alerting/service.ts'
import { sampleCluster } from '../monitoring/sampler.ts'
import { type SampleRow, writeSamples } from '../monitoring/store.ts'
import { checkDeployments, windowsOf } from './check.ts'
import { deploymentRegressions } from './metric.ts'

/**
 * The regression check on stored samples: traffic written through the monitoring store as two
 * replicas' samplers write it, deployments recorded through the API, the test clock moved past
 * the windows, the check run, the verdict read back through the API.
 */

const SECOND = 1000
const MINUTE = 60 * SECOND
const SAMPLE_MS = 10 * SECOND

interface Load {
  /** Responses per sample per replica. */
  requests: number
  /** 5xx per thousand responses (5 = 0.5 %), spread evenly over the samples. */
  errorsPerMille: number
  p95Ms: number
}

const normal: Load = { requests: 40, errorsPerMille: 5, p95Ms: 300 }

/** Samples of the replicas every 10 s over [from, to), as their samplers store them. */
async function traffic(
  ctx: AppContext,
  from: number,
  to: number,
  load: Load,
  replicas = ['replica-a', 'replica-b'],
) {
  const rows: SampleRow[] = []
  // Whole errors so far after k samples: floor(k × requests × ‰ / 1000), exact in integers.
  const owed = (k: number) => Math.floor((k * load.requests * load.errorsPerMille) / 1000)
  let k = 0
  for (let at = from; at < to; at += SAMPLE_MS) {
    for (const instanceId of replicas) {
      k += 1
      const errors = owed(k) - owed(k - 1)
      const time = new Date(at + 5 * SECOND)
      rows.push(
        { name: 'http_requests', instanceId, at: time, value: load.requests },
        { name: 'http_errors', instanceId, at: time, value: errors },
        { name: 'response_time_p95_ms', instanceId, at: time, value: load.p95Ms },
      )
    }
  }
  for (let i = 0; i < rows.length; i += 3000) await writeSamples(ctx, rows.slice(i, i + 3000))
}

describe('regression check', () => {
  let t: TestApp
  const clock = new TestClock('2026-05-04T08:00:00Z')
  const start = clock.ms()
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { APP_ENV: 'production' } })
  })
  afterAll(() => t.close())

  const call = async (role: 'viewer' | 'operator', options: InjectOptions) =>
    t.app.inject({ ...options, headers: { ...(await as(t.ctx, role)), ...options.headers } })
  const record = async (payload: object) => {
    const res = await call('operator', { method: 'POST', url: '/api/deployments', payload })
    expect(res.statusCode).toBe(201)
    return res.json() as { id: string }
  }
  const check = async () => (await call('operator', { method: 'POST', url: '/api/deployments/check' })).json()
  const deployment = async (id: string) =>
    (await call('viewer', { method: 'GET', url: `/api/deployments/${id}` })).json()
  const at = (minutes: number) => new Date(start + minutes * MINUTE).toISOString()
  const moveTo = (minutes: number) => clock.advance(start + minutes * MINUTE - clock.ms())

  const ids: Record<string, string> = {}

  it('marks a deploy with steady traffic ok, only once its after-window has passed', async () => {
    await traffic(t.ctx, start, start + 60 * MINUTE, normal)
    moveTo(31)
    ids.good = (
      await record({ version: '3.0.0', commit: 'c0ffee30', startedAt: at(30), finishedAt: at(31) })
    ).id
    moveTo(40)
    expect(await check()).toMatchObject({ checked: 0, waiting: 1 })
    expect((await deployment(ids.good!)).check.state).toBe('pending')
    moveTo(47) // 31 + 15 minutes, plus time for the last sample to be stored
    expect(await check()).toMatchObject({ checked: 1, ok: 1, waiting: 0 })
    const good = await deployment(ids.good!)
    expect(good.check).toMatchObject({
      state: 'ok',
      checkedAt: clock.now().toISOString(),
      rollbackTo: null,
      summary: null,
      detail: {
        windowSeconds: 900,
        resolution: 'raw',
        before: { from: at(15), to: at(30), requests: 90 * 2 * 40, errorRate: 0.5, p95Ms: 300 },
        after: { from: at(31), to: at(46), requests: 90 * 2 * 40, errorRate: 0.5, p95Ms: 300 },
        errorRateRegressed: false,
        p95Regressed: false,
        thresholds: { minRequests: 100, errorRatePoints: 2, errorRateFactor: 2, p95Factor: 1.5, p95Ms: 200 },
      },
    })
    expect(await check()).toMatchObject({ checked: 0, waiting: 0 })
  })

  it('flags a deploy after which the error rate and p95 rose, naming the last good release to roll back to', async () => {
    // 60–75: as before; 75: 3.1.0; 75–95: 8 % errors and p95 1200 ms.
    await traffic(t.ctx, start + 60 * MINUTE, start + 75 * MINUTE, normal)
    moveTo(75)
    ids.bad = (await record({ version: '3.1.0', commit: 'badc0de1' })).id
    await traffic(t.ctx, start + 75 * MINUTE, start + 95 * MINUTE, {
      requests: 40,
      errorsPerMille: 80,
      p95Ms: 1200,
    })
    moveTo(91)
    expect(await deploymentRegressions(t.ctx)).toBe(0)
    expect(await check()).toMatchObject({ checked: 1, regressed: 1 })

    const list = (await call('viewer', { method: 'GET', url: '/api/deployments' })).json()
    const flagged = list.items.find((d: { id: string }) => d.id === ids.bad)
    expect(flagged).toMatchObject({
      version: '3.1.0',
      check: {
        state: 'regressed',
        summary: 'error rate 0.5 % → 8 %; p95 response time 300 ms → 1200 ms',
        rollbackTo: { id: ids.good, version: '3.0.0', commit: 'c0ffee30', startedAt: at(30) },
        detail: {
          windowSeconds: 900,
          before: { from: at(60), to: at(75), errorRate: 0.5, p95Ms: 300 },
          after: { from: at(75), to: at(90), errorRate: 8, p95Ms: 1200 },
          errorRateRegressed: true,
          p95Regressed: true,
        },
      },
    })
  })

  it('raises the "Deployment regression" alert while the regressed release is current', async () => {
    await ensureDefaultRules(t.ctx)
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: false })
      .where('builtin', '<>', 'deployment-regression')
      .execute()
    expect(await deploymentRegressions(t.ctx)).toBe(1)
    await sampleCluster(t.ctx)
    await runEvaluation(t.ctx)
    const firing = await listAlerts(t.ctx, { state: 'firing' })
    expect(firing.items.map((a) => [a.ruleName, a.severity, a.value])).toEqual([
      ['Deployment regression', 'high', 1],
    ])
  })

  it('records the rollback through the API as kind rollback; the regression is no longer current', async () => {
    moveTo(95)
    const res = await call('operator', {
      method: 'POST',
      url: '/api/deployments',
      payload: { version: '3.0.0', commit: 'c0ffee30', kind: 'rollback', notes: 'rolled back 3.1.0' },
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({ kind: 'rollback', rollsBack: { id: ids.bad, version: '3.1.0' } })
    ids.rollback = res.json().id
    const list = (await call('viewer', { method: 'GET', url: '/api/deployments?limit=1' })).json()
    expect(list.items[0]).toMatchObject({ id: ids.rollback, kind: 'rollback', version: '3.0.0' })
    expect(await deploymentRegressions(t.ctx)).toBe(0)
    // The alert resolves at the next evaluation after the next sample.
    moveTo(96)
    await sampleCluster(t.ctx)
    await runEvaluation(t.ctx)
    expect((await listAlerts(t.ctx, { state: 'firing' })).items).toEqual([])
  })

  it('ignores noise and gives no verdict on low traffic', async () => {
    // From the rollback at 95 on: 0.9 % errors and p95 340 ms against 0.5 % and 300 ms before 3.1.0.
    const noise = { requests: 50, errorsPerMille: 9, p95Ms: 340 }
    await traffic(t.ctx, start + 95 * MINUTE, start + 130 * MINUTE, noise)
    moveTo(115)
    ids.noisy = (await record({ version: '3.0.1', commit: 'n0153' })).id
    // 3.0.2 at 160: one replica answering once per sample, 90 responses in each window.
    const trickle = { requests: 1, errorsPerMille: 500, p95Ms: 5000 }
    await traffic(t.ctx, start + 145 * MINUTE, start + 175 * MINUTE, trickle, ['replica-a'])
    moveTo(160)
    ids.quiet = (await record({ version: '3.0.2', commit: 'q01e7' })).id
    moveTo(176)
    const report = await check()
    expect(report).toMatchObject({ checked: 3, ok: 2, insufficientData: 1 })
    // The rollback brought the figures back down: ok.
    expect((await deployment(ids.rollback!)).check).toMatchObject({
      state: 'ok',
      detail: { before: { errorRate: 8, p95Ms: 1200 }, after: { errorRate: 0.9, p95Ms: 340 } },
    })
    const noisy = await deployment(ids.noisy!)
    expect(noisy.check).toMatchObject({
      state: 'ok',
      detail: {
        before: { errorRate: 0.9, p95Ms: 340 },
        after: { errorRate: 0.9, p95Ms: 340 },
        errorRateRegressed: false,
        p95Regressed: false,
      },
    })
    expect(noisy.check.detail.before.requests).toBe(90 * 2 * 50)
    const quiet = await deployment(ids.quiet!)
    expect(quiet.check.state).toBe('insufficient_data')
    expect(quiet.check.summary).toMatch(/responses before the deployment \(at least 100 needed\)/)
  })

  it('skips failed deployments and other environments, waits for one still running', async () => {
    moveTo(180)
    const failed = await record({ version: '3.0.3', status: 'failed', startedAt: at(178) })
    const elsewhere = await record({ version: '3.0.3', environment: 'staging' })
    const running = await record({ version: '3.0.4', status: 'started' })
    const report = await check()
    expect(report).toMatchObject({ checked: 2, skipped: 2 })
    expect((await deployment(failed.id)).check).toMatchObject({
      state: 'skipped',
      summary: 'the deployment failed, so the release before it kept running',
    })
    expect((await deployment(elsewhere.id)).check).toMatchObject({
      state: 'skipped',
      summary: 'this instance stores the metrics of environment production, not staging',
    })
    moveTo(300)
    await check()
    expect((await deployment(running.id)).check.state).toBe('pending')
  })
})

describe('regression check across replicas and restarts', () => {
  let t: TestApp
  const clock = new TestClock('2026-05-05T08:00:00Z')
  const start = clock.ms()
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { APP_ENV: 'production' } })
  })
  afterAll(() => t.close())

  it('is done once across replicas; a check claimed by a replica that died is taken over after its lease', async () => {
    await traffic(t.ctx, start, start + 40 * MINUTE, normal)
    const operator = await as(t.ctx, 'operator')
    clock.advance(21 * MINUTE)
    const deployedAt = new Date(start + 20 * MINUTE).toISOString()
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/deployments',
      headers: operator,
      payload: { version: '4.0.0', startedAt: deployedAt, finishedAt: deployedAt },
    })
    const id = res.json().id as string
    // A replica claimed it and died before giving a verdict.
    clock.advance(15 * MINUTE)
    await t.ctx.db
      .updateTable('deployments')
      .set({ check_claimed_by: 'dead-replica', check_claimed_until: new Date(clock.ms() + 5 * MINUTE) })
      .where('id', '=', id)
      .execute()
    expect(await checkDeployments(t.ctx)).toMatchObject({ checked: 0 })
    // Hours later (this process restarted meanwhile), the lease has run out and the check is done.
    clock.advance(3 * 60 * MINUTE)
    const replicas = [t.ctx, { ...t.ctx, instanceId: 'replica-2' }, { ...t.ctx, instanceId: 'replica-3' }]
    const reports = await Promise.all(replicas.map((replica) => checkDeployments(replica)))
    expect(reports.reduce((sum, r) => sum + r.checked, 0)).toBe(1)
    const row = await t.ctx.db
      .selectFrom('deployments')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ check_state: 'ok', check_claimed_by: null })
  })
})

describe('windowsOf', () => {
  const t0 = Date.parse('2026-05-06T10:00:00Z')
  const row = (startMin: number, endMin: number | null) => ({
    started_at: new Date(t0 + startMin * MINUTE),
    finished_at: endMin === null ? null : new Date(t0 + endMin * MINUTE),
  })

  it('compares the window before the start with the window after the finish', () => {
    expect(windowsOf(row(0, 4), { previousEnd: null, nextStart: null }, 15 * MINUTE)).toEqual({
      before: { from: t0 - 15 * MINUTE, to: t0 },
      after: { from: t0 + 4 * MINUTE, to: t0 + 19 * MINUTE },
      lengthMs: 15 * MINUTE,
    })
  })

  it('cuts both windows at the neighbouring deployments', () => {
    expect(
      windowsOf(row(0, null), { previousEnd: t0 - 5 * MINUTE, nextStart: null }, 15 * MINUTE).lengthMs,
    ).toBe(5 * MINUTE)
    expect(windowsOf(row(0, 2), { previousEnd: null, nextStart: t0 + 10 * MINUTE }, 15 * MINUTE)).toEqual({
      before: { from: t0 - 8 * MINUTE, to: t0 },
      after: { from: t0 + 2 * MINUTE, to: t0 + 10 * MINUTE },
      lengthMs: 8 * MINUTE,
    })
    expect(windowsOf(row(0, 2), { previousEnd: t0 + MINUTE, nextStart: null }, 15 * MINUTE).lengthMs).toBe(0)
  })
})
