import { randomUUID } from 'node:crypto'
import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, closeTestContext, createTestContext, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { AppContext } from '../../context.ts'
import { deploymentsModule } from './index.ts'
import { recordStartupDeployment } from './service.ts'

/** Recording deployments: at start (once across replicas), and through the API as CI does. */

const MINUTE = 60_000

async function rows(ctx: AppContext, environment?: string) {
  let query = ctx.db
    .selectFrom('deployments')
    .select(['id', 'version', 'commit', 'kind', 'status', 'source', 'rolls_back_id', 'environment'])
    .orderBy('id')
  if (environment) query = query.where('environment', '=', environment)
  return query.execute()
}

describe('recorded at start', () => {
  it('records a new release once, nothing on a restart, and a return to an earlier release as a rollback', async () => {
    const clock = new TestClock('2026-04-01T09:00:00Z')
    const ctx = await createTestContext({
      clock,
      env: { APP_ENV: 'staging', APP_VERSION: '2.0.0', GIT_COMMIT: 'aaaaaaa1' },
    })
    try {
      // Starting the context ran the module's start: the release is recorded.
      expect(await rows(ctx)).toMatchObject([
        { version: '2.0.0', commit: 'aaaaaaa1', kind: 'deploy', status: 'succeeded', source: 'startup' },
      ])
      // A restart of the same release records nothing.
      await deploymentsModule.stop?.(ctx)
      await deploymentsModule.start?.(ctx)
      expect(await rows(ctx)).toHaveLength(1)

      // Replicas of a new release starting together record it once.
      clock.advance(MINUTE)
      const next = { environment: 'staging', version: '2.1.0', commit: 'bbbbbbb2' }
      const replicas = Array.from({ length: 5 }, () => ({ ...ctx, instanceId: randomUUID() }))
      const recorded = await Promise.all(replicas.map((replica) => recordStartupDeployment(replica, next)))
      expect(recorded.filter((view) => view !== null)).toHaveLength(1)
      expect(await rows(ctx)).toHaveLength(2)
      // Twice one after the other: the second sees the first.
      expect(await recordStartupDeployment(ctx, next)).toBeNull()

      // Another commit of the same version is another release.
      clock.advance(MINUTE)
      const hotfix = await recordStartupDeployment(ctx, { ...next, commit: 'ccccccc3' })
      expect(hotfix).toMatchObject({ version: '2.1.0', commit: 'ccccccc3', kind: 'deploy' })

      // Back to 2.0.0: a rollback of the newest deployment.
      clock.advance(MINUTE)
      const back = await recordStartupDeployment(ctx, {
        environment: 'staging',
        version: '2.0.0',
        commit: 'aaaaaaa1',
      })
      expect(back).toMatchObject({
        kind: 'rollback',
        rollsBack: { id: hotfix!.id, version: '2.1.0', commit: 'ccccccc3' },
        startedAt: clock.now().toISOString(),
      })
      // Other environments keep their own history; an unknown commit is stored as none.
      const other = await recordStartupDeployment(ctx, {
        environment: 'production',
        version: '2.0.0',
        commit: 'unknown',
      })
      expect(other).toMatchObject({ environment: 'production', kind: 'deploy', commit: null })
      expect(await rows(ctx, 'staging')).toHaveLength(4)
      // Startup records are not audited changes by anyone.
      const audited = await ctx.db
        .selectFrom('audit_logs')
        .select('id')
        .where('action', 'like', 'deployment%')
        .execute()
      expect(audited).toHaveLength(0)
    } finally {
      await closeTestContext(ctx)
    }
  })
})

describe('deployments API', () => {
  let t: TestApp
  const clock = new TestClock('2026-04-02T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { APP_ENV: 'production' } })
  })
  afterAll(() => t.close())

  const call = async (role: 'viewer' | 'operator' | 'admin', options: InjectOptions) =>
    t.app.inject({ ...options, headers: { ...(await as(t.ctx, role)), ...options.headers } })
  const operator = (method: InjectOptions['method'], url: string, payload?: object) =>
    call('operator', { method, url, payload })
  const viewer = (url: string) => call('viewer', { method: 'GET', url })

  const ids: Record<string, string> = {}

  it('records a deploy reported by CI (201), audited, with the environment defaulting to the instance’s', async () => {
    const res = await operator('POST', '/api/deployments', {
      version: '1.4.0',
      commit: 'a1b2c3d4e5f6',
      notes: 'release train 14',
      startedAt: '2026-04-02T11:50:00Z',
    })
    expect(res.statusCode).toBe(201)
    ids.first = res.json().id
    expect(res.json()).toMatchObject({
      environment: 'production',
      version: '1.4.0',
      commit: 'a1b2c3d4e5f6',
      kind: 'deploy',
      status: 'succeeded',
      source: 'api',
      startedAt: '2026-04-02T11:50:00.000Z',
      finishedAt: '2026-04-02T12:00:00.000Z',
      notes: 'release train 14',
      rollsBack: null,
      check: { state: 'pending', checkedAt: null, rollbackTo: null, summary: null, detail: null },
    })
    expect(res.json().createdBy).toMatch(/^apikey:/)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .selectAll()
      .where('action', '=', 'deployment_record')
      .where('target_id', '=', ids.first!)
      .executeTakeFirstOrThrow()
    expect(audit).toMatchObject({ actor_type: 'apikey', target_type: 'deployment' })
    expect(audit.new_values).toMatchObject({ version: '1.4.0', status: 'succeeded' })
  })

  it('refuses bad input with a 4xx and the error shape, and writes nothing', async () => {
    const before = (await rows(t.ctx)).length
    const bad: [object, number, string][] = [
      [{}, 400, 'VALIDATION_FAILED'],
      [{ version: '' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', extra: true }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0 beta' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', kind: 'hotfix' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', status: 'done' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', environment: 'Prod' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', startedAt: 'yesterday' }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.5.0', startedAt: '2026-04-02T13:00:00Z' }, 400, 'INVALID_TIME'],
      [{ version: '1.5.0', startedAt: '1999-12-31T23:00:00Z' }, 400, 'INVALID_TIME'],
      [
        { version: '1.5.0', startedAt: '2026-04-02T11:00:00Z', finishedAt: '2026-04-02T10:00:00Z' },
        400,
        'INVALID_TIME',
      ],
      [{ version: '1.5.0', status: 'started', finishedAt: '2026-04-02T11:00:00Z' }, 400, 'INVALID_TIME'],
      [{ version: '1.5.0', rollsBack: ids.first }, 400, 'VALIDATION_FAILED'],
      [{ version: '1.3.0', kind: 'rollback', rollsBack: '999999' }, 422, 'UNKNOWN_DEPLOYMENT'],
    ]
    for (const [payload, status, code] of bad) {
      const res = await operator('POST', '/api/deployments', payload)
      expect(res.statusCode, JSON.stringify(payload)).toBe(status)
      expect(res.json().error.code, JSON.stringify(payload)).toBe(code)
      expect(typeof res.json().error.message).toBe('string')
    }
    expect((await rows(t.ctx)).length).toBe(before)
  })

  it('lets operators and up record, viewers only read, and nobody without credentials', async () => {
    expect(
      (await call('viewer', { method: 'POST', url: '/api/deployments', payload: { version: '9.9.9' } }))
        .statusCode,
    ).toBe(403)
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/deployments', payload: { version: '9.9.9' } }))
        .statusCode,
    ).toBe(401)
    expect((await t.app.inject({ method: 'GET', url: '/api/deployments' })).statusCode).toBe(401)
    expect((await viewer('/api/deployments')).statusCode).toBe(200)
  })

  it('completes the record of the same release instead of adding one (200), e.g. after a replica recorded it at start', async () => {
    clock.advance(10 * MINUTE)
    const started = await recordStartupDeployment(t.ctx, {
      environment: 'production',
      version: '1.5.0',
      commit: 'f00dfeed',
    })
    clock.advance(MINUTE)
    const res = await operator('POST', '/api/deployments', {
      version: '1.5.0',
      commit: 'f00dfeed',
      notes: 'CI pipeline 881',
      startedAt: '2026-04-02T12:05:00Z',
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      id: started!.id,
      source: 'startup',
      notes: 'CI pipeline 881',
      startedAt: '2026-04-02T12:05:00.000Z',
      status: 'succeeded',
    })
    expect((await rows(t.ctx)).filter((r) => r.version === '1.5.0')).toHaveLength(1)
    ids.second = started!.id
  })

  it('follows a CI deploy from started to succeeded or failed; a failed one stays failed', async () => {
    clock.advance(MINUTE)
    const started = await operator('POST', '/api/deployments', {
      version: '1.6.0',
      commit: 'abc16',
      status: 'started',
    })
    expect(started.statusCode).toBe(201)
    expect(started.json()).toMatchObject({ status: 'started', finishedAt: null })
    const id = started.json().id
    clock.advance(2 * MINUTE)
    const failed = await operator('PATCH', `/api/deployments/${id}`, {
      status: 'failed',
      notes: 'health check failed',
    })
    expect(failed.statusCode).toBe(200)
    expect(failed.json()).toMatchObject({
      status: 'failed',
      finishedAt: clock.now().toISOString(),
      notes: 'health check failed',
    })
    const again = await operator('PATCH', `/api/deployments/${id}`, { status: 'succeeded' })
    expect(again.statusCode).toBe(409)
    expect(again.json().error.code).toBe('INVALID_TRANSITION')
    expect((await operator('PATCH', `/api/deployments/${id}`, {})).statusCode).toBe(400)
    expect((await operator('PATCH', '/api/deployments/424242', { notes: 'x' })).statusCode).toBe(404)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select(['old_values', 'new_values'])
      .where('action', '=', 'deployment_update')
      .where('target_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(audit.old_values).toMatchObject({ status: 'started' })
    expect(audit.new_values).toMatchObject({ status: 'failed' })

    // A retry of the failed release is a new deployment; the second POST marks it succeeded.
    clock.advance(MINUTE)
    const retry = await operator('POST', '/api/deployments', {
      version: '1.6.0',
      commit: 'abc16',
      status: 'started',
    })
    expect(retry.statusCode).toBe(201)
    clock.advance(MINUTE)
    const done = await operator('POST', '/api/deployments', {
      version: '1.6.0',
      commit: 'abc16',
      status: 'succeeded',
    })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toMatchObject({
      id: retry.json().id,
      status: 'succeeded',
      finishedAt: clock.now().toISOString(),
    })
    ids.third = retry.json().id
  })

  it('records a rollback: of the newest other release by default, shown as kind rollback', async () => {
    clock.advance(MINUTE)
    const res = await operator('POST', '/api/deployments', {
      version: '1.5.0',
      commit: 'f00dfeed',
      kind: 'rollback',
      notes: 'error rate after 1.6.0',
    })
    expect(res.statusCode).toBe(201)
    expect(res.json()).toMatchObject({
      kind: 'rollback',
      version: '1.5.0',
      rollsBack: { id: ids.third, version: '1.6.0', commit: 'abc16' },
    })
    ids.rollback = res.json().id
    // Without a kind, a release the environment had before is a rollback too.
    clock.advance(MINUTE)
    const inferred = await operator('POST', '/api/deployments', { version: '1.4.0', commit: 'a1b2c3d4e5f6' })
    expect(inferred.json()).toMatchObject({ kind: 'rollback', rollsBack: { version: '1.5.0' } })
    // Naming the deployment rolled back.
    clock.advance(MINUTE)
    const named = await operator('POST', '/api/deployments', {
      version: '1.3.0',
      kind: 'rollback',
      rollsBack: ids.second,
      environment: 'staging',
    })
    expect(named.statusCode).toBe(422)
    const list = await viewer('/api/deployments?limit=3')
    expect(list.json().items.map((d: { kind: string; version: string }) => `${d.kind} ${d.version}`)).toEqual(
      ['rollback 1.4.0', 'rollback 1.5.0', 'deploy 1.6.0'],
    )
  })

  it('lists newest first with a cursor, filters by environment and time, and shows one deployment', async () => {
    await operator('POST', '/api/deployments', {
      version: '0.9.0',
      environment: 'staging',
      startedAt: '2026-04-01T08:00:00Z',
    })
    const all = (await viewer('/api/deployments?limit=200')).json()
    const times = all.items.map((d: { startedAt: string }) => d.startedAt)
    expect([...times].sort().reverse()).toEqual(times)
    expect(all.detector).toMatchObject({
      environment: 'production',
      windowMinutes: 15,
      minRequests: 100,
      errorRatePoints: 2,
      errorRateFactor: 2,
      p95Factor: 1.5,
      p95Ms: 200,
    })
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await viewer(`/api/deployments?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      seen.push(...page.items.map((d) => d.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen).toEqual(all.items.map((d: { id: string }) => d.id))

    const staging = (await viewer('/api/deployments?environment=staging')).json()
    expect(staging.items.map((d: { version: string }) => d.version)).toEqual(['0.9.0'])
    const since = (await viewer('/api/deployments?since=2026-04-02T12:15:00Z')).json()
    expect(since.items.every((d: { startedAt: string }) => d.startedAt >= '2026-04-02T12:15:00.000Z')).toBe(
      true,
    )
    expect(since.items.length).toBeGreaterThan(0)

    const one = await viewer(`/api/deployments/${ids.rollback}`)
    expect(one.statusCode).toBe(200)
    expect(one.json()).toMatchObject({ id: ids.rollback, kind: 'rollback' })
    expect((await viewer('/api/deployments/99999999')).statusCode).toBe(404)
    expect((await viewer('/api/deployments/abc')).statusCode).toBe(400)
    for (const query of ['limit=0', 'limit=201', 'cursor=nonsense', 'environment=Bad!', 'since=never'])
      expect((await viewer(`/api/deployments?${query}`)).statusCode, query).toBe(400)
  })
})
