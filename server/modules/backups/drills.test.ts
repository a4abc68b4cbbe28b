import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import { loadConfig } from '../../config.ts'
import { evaluateAlerts } from '../alerting/evaluate.ts'
import { ensureDefaultRules } from '../alerting/rules.ts'
import { listAlerts } from '../alerting/service.ts'
import { modules } from '../index.ts'
import { sampleCluster } from '../monitoring/sampler.ts'
import type { DrillView } from './drills.ts'
import { backupJob } from './jobs.ts'
import { type BackupDetail, createBackup, getBackup } from './service.ts'

const engine = inject('template').engine
const MINUTE = 60_000
const system = { type: 'system', id: 'test' } as const

describe('recovery drills', () => {
  const clock = new TestClock('2026-03-01T23:00:00Z')
  let t: TestApp
  let first: BackupDetail
  let drill: DrillView

  const call = async (method: 'GET' | 'POST', url: string, role: 'admin' | 'viewer' = 'admin') =>
    t.app.inject({ method, url, headers: await as(t.ctx, role) })
  /** One sampling minute: the cluster metrics, then the alert rules. */
  const evaluate = async () => {
    clock.advance(MINUTE)
    await sampleCluster(t.ctx)
    await evaluateAlerts(t.ctx)
  }
  const firing = async () =>
    (await listAlerts(t.ctx)).items.filter((a) => a.state === 'firing').map((a) => a.metric)
  /** The scratch database or directory a drill used still exists. */
  const scratchExists = async (target: string) => {
    if (engine === 'pglite') return existsSync(target)
    const name = decodeURIComponent(new URL(target).pathname.slice(1))
    const { rows } = await t.ctx.database.pool.query('select 1 from pg_database where datname = $1', [name])
    return rows.length > 0
  }

  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { INCIDENT_AUTO_OPEN: 'off' } })
    await ensureDefaultRules(t.ctx)
    // Only the backup rules: the others read metrics these tests do not feed.
    await t.ctx.db
      .updateTable('alert_rules')
      .set({ enabled: false })
      .where('builtin', 'not like', 'backup-%')
      .execute()
    await insertCatalogAndRates(t.ctx)
    const order = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: await as(t.ctx, 'operator'),
      payload: { channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 1 }] },
    })
    expect(order.statusCode).toBe(201)
  })
  afterAll(async () => {
    await t?.close()
  })

  it('needs admin, and refuses a drill without a complete backup (409 NO_BACKUP)', async () => {
    for (const method of ['GET', 'POST'] as const)
      expect((await call(method, '/api/backups/drills', 'viewer')).statusCode).toBe(403)
    const refused = await call('POST', '/api/backups/drills')
    expect(refused.statusCode).toBe(409)
    expect(refused.json().error.code).toBe('NO_BACKUP')
    const list = await call('GET', '/api/backups/drills')
    expect(list.json()).toEqual({
      items: [],
      objectives: { rtoSeconds: 4 * 3600, rpoSeconds: 3600 },
      newestVerifiedBackupAgeSeconds: null,
    })
  })

  it('records a passed drill with measured RTO and RPO, and drops the scratch database', async () => {
    first = await createBackup(t.ctx, system)
    clock.advance(10 * MINUTE)
    const response = await call('POST', '/api/backups/drills')
    expect(response.statusCode).toBe(201)
    drill = response.json()
    expect(drill).toMatchObject({
      backupId: first.id,
      outcome: 'passed',
      rpoSeconds: 600,
      rtoMet: true,
      rpoMet: true,
      error: null,
    })
    expect(drill.rtoSeconds).toBeGreaterThan(0)
    expect(drill.report.integrity?.ok).toBe(true)
    expect(drill.report.queries?.map((q) => [q.name, q.ok])).toEqual([
      ['count users', true],
      ['count orders', true],
      ['latest order', true],
      ['migration', true],
    ])
    expect(drill.report.queries?.[1]?.detail).toBe('1 rows (manifest: 1)')
    expect(drill.report.scratch).toMatchObject({ removed: true })
    expect(drill.report.scratch?.target).not.toContain('@')
    expect(await scratchExists(drill.report.scratch!.target)).toBe(false)
    // The drill verified the backup on the way.
    expect((await getBackup(t.ctx, first.id)).verifyState).toBe('good')

    const list = (await call('GET', '/api/backups/drills?limit=5')).json()
    expect(list.items).toEqual([drill])
    expect(list.newestVerifiedBackupAgeSeconds).toBe(600)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('action', '=', 'backup_drill')
      .where('target_id', '=', first.id)
      .execute()
    expect(audit).toHaveLength(1)
  })

  it('fires the RPO alert once the newest verified backup is older than RPO_OBJECTIVE, not before', async () => {
    // 23:10: the backup is 10 minutes old.
    await evaluate()
    expect(await firing()).toEqual([])
    clock.advance(47 * MINUTE)
    await evaluate() // 59 minutes old
    expect(await firing()).toEqual([])
    clock.advance(MINUTE)
    await evaluate() // 61 minutes old
    expect(await firing()).toEqual(['backup_rpo_excess_seconds'])
    const alert = (await listAlerts(t.ctx)).items.find((a) => a.metric === 'backup_rpo_excess_seconds')
    expect(alert).toMatchObject({ state: 'firing', severity: 'high', value: 60 })

    // The scheduled job backs up and verifies (00:01, the next UTC day: retention keeps both).
    await backupJob.handler({}, t.ctx)
    const rows = await t.ctx.db.selectFrom('backups').select(['id', 'verify_state']).orderBy('id').execute()
    expect(rows.map((r) => r.verify_state)).toEqual(['good', 'good'])
    await evaluate()
    expect(await firing()).toEqual([])
  })

  it('fails and records a drill of a corrupt newest backup; the next drill uses the older good one', async () => {
    const newest = (
      await t.ctx.db.selectFrom('backups').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()
    ).id
    const archive = path.join(
      t.ctx.config.backups.dir,
      newest,
      engine === 'postgres' ? 'data.dump' : 'data.tar.gz',
    )
    const bytes = readFileSync(archive)
    for (let i = 100; i < 116; i++) bytes[i] = bytes[i]! ^ 0xff
    writeFileSync(archive, bytes)

    const failed: DrillView = (await call('POST', '/api/backups/drills')).json()
    expect(failed).toMatchObject({ backupId: newest, outcome: 'failed', rtoSeconds: null, rtoMet: null })
    expect(failed.error).toContain('corrupt')
    expect(failed.report.verify).toMatchObject({ state: 'corrupt' })
    expect((await getBackup(t.ctx, newest)).verifyState).toBe('corrupt')
    await evaluate()
    expect(await firing()).toContain('backup_drill_failed')

    // Two at once: one runs (on the older, good backup), the other is refused.
    const [a, b] = await Promise.all([
      call('POST', '/api/backups/drills'),
      call('POST', '/api/backups/drills'),
    ])
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409])
    const passed: DrillView = (a.statusCode === 201 ? a : b).json()
    expect(passed).toMatchObject({ backupId: first.id, outcome: 'passed' })
    expect(passed.rpoSeconds).toBe((clock.ms() - Date.parse(first.startedAt)) / 1000)
    expect(passed.rpoMet).toBe(false)
    await evaluate()
    const now = await firing()
    expect(now).not.toContain('backup_drill_failed')
    // The newest verified backup is the older one again: past the RPO objective.
    expect(now).toContain('backup_rpo_excess_seconds')
    const list = (await call('GET', '/api/backups/drills')).json()
    expect(list.items.map((d: DrillView) => d.outcome)).toEqual(['passed', 'failed', 'passed'])
  })

  it('fires the RTO alert when the latest drill took longer than RTO_OBJECTIVE', async () => {
    await t.ctx.db
      .insertInto('backup_drills')
      .values({
        backup_id: first.id,
        started_at: clock.now(),
        finished_at: clock.now(),
        outcome: 'passed',
        rto_seconds: 5 * 3600,
        rpo_seconds: 600,
        report: '{}',
        actor: 'system:test',
      })
      .execute()
    await evaluate()
    const alert = (await listAlerts(t.ctx)).items.find(
      (a) => a.metric === 'backup_drill_rto_excess_seconds' && a.state === 'firing',
    )
    expect(alert).toMatchObject({ severity: 'medium', value: 3600 })
    const [latest] = (await call('GET', '/api/backups/drills?limit=1')).json().items
    expect(latest).toMatchObject({ rtoSeconds: 18_000, rtoMet: false })
  })
})

describe('drill and RPO configuration', () => {
  it('schedules backups.drill monthly from BACKUP_DRILL_SCHEDULE (off: none), as a singleton', () => {
    const job = modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'backups.drill')!
    expect(job.singleton).toBe(true)
    const schedule = job.schedule as (config: ReturnType<typeof loadConfig>) => string | undefined
    expect(schedule(loadConfig({}))).toBe('0 4 1 * *')
    expect(schedule(loadConfig({ BACKUP_DRILL_SCHEDULE: 'off' }))).toBeUndefined()
  })

  it('maps BACKUP_INTERVAL onto the backup schedule and parses the objectives', () => {
    const schedule = (value: string) => loadConfig({ BACKUP_INTERVAL: value }).backups.schedule
    expect(schedule('15m')).toBe('*/15 * * * *')
    expect(schedule('5m')).toBe('*/5 * * * *')
    expect(schedule('60m')).toBe('0 * * * *')
    expect(schedule('1h')).toBe('0 * * * *')
    expect(schedule('6h')).toBe('0 */6 * * *')
    expect(schedule('24h')).toBe('0 0 * * *')
    for (const bad of ['4m', '7m', '90m', '5h', '0h', 'hourly'])
      expect(() => schedule(bad), bad).toThrow('BACKUP_INTERVAL')
    expect(loadConfig({ BACKUP_INTERVAL: '30m', BACKUP_SCHEDULE: 'off' }).backups.schedule).toBe(
      '*/30 * * * *',
    )
    expect(loadConfig({}).backups.objectives).toEqual({ rtoSeconds: 14_400, rpoSeconds: 3600 })
    expect(loadConfig({ RTO_OBJECTIVE: '30m', RPO_OBJECTIVE: '1d' }).backups.objectives).toEqual({
      rtoSeconds: 1800,
      rpoSeconds: 86_400,
    })
    expect(() => loadConfig({ RPO_OBJECTIVE: '1 hour' })).toThrow('RPO_OBJECTIVE')
  })
})
