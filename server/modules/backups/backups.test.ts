import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { runSentia } from '../../../test/instance.ts'
import { adminQuery, databaseUrlFor } from '../../../test/template.ts'
import { loadConfig } from '../../config.ts'
import { migrations } from '../../platform/db/migrations/index.ts'
import { modules } from '../index.ts'
import { restoreBackup } from './restore.ts'
import { applyRetention, type BackupDetail, getBackup, verifyBackup } from './service.ts'
import { LocalStore } from './store.ts'
import { backupStores } from './stores.ts'
import { checkDumpVersion, toolMajor } from './tools.ts'

const template = inject('template')
const engine = template.engine
const actor = { type: 'system', id: 'test' } as const
const latest = Object.keys(migrations).at(-1)!

describe('backups', () => {
  let t: TestApp
  let backup: BackupDetail
  let archive: string
  let restored: string | undefined
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-backups-test-'))
  const databases: string[] = []
  /** A restore target nobody uses yet: a new database on the test server, or a new directory. */
  const freshTarget = () => {
    if (template.engine === 'pglite') return path.join(dir, `restore-${randomBytes(3).toString('hex')}`)
    const name = `${template.prefix}_restore_${randomBytes(3).toString('hex')}`
    databases.push(name)
    return databaseUrlFor(process.env.DATABASE_URL!, name)
  }
  const restore = (options: { target: string; force?: boolean }) =>
    restoreBackup(t.ctx.config, backupStores(t.ctx), { id: backup.id, ...options })

  beforeAll(async () => {
    t = await buildTestApp({ start: false })
    await insertCatalogAndRates(t.ctx)
    const order = await t.app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: await as(t.ctx, 'operator'),
      payload: { channel: 'shopify-uk', lines: [{ sku: 'GABA-RED', quantity: 1 }] },
    })
    expect(order.statusCode).toBe(201)
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/backups',
      headers: await as(t.ctx, 'admin'),
    })
    expect(created.statusCode).toBe(201)
    backup = created.json()
    archive = path.join(
      t.ctx.config.backups.dir,
      backup.id,
      engine === 'postgres' ? 'data.dump' : 'data.tar.gz',
    )
    copyFileSync(archive, path.join(dir, 'good'))
  })
  afterAll(async () => {
    await t?.close()
    rmSync(dir, { recursive: true, force: true })
    if (databases.length && process.env.DATABASE_URL)
      await adminQuery(
        process.env.DATABASE_URL,
        databases.map((name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      )
  })

  it('creates a complete backup with a manifest of the row counts, in the local store', async () => {
    expect(backup).toMatchObject({ status: 'complete', engine, stores: ['local'], verifyState: 'unverified' })
    const manifest = JSON.parse(
      readFileSync(path.join(t.ctx.config.backups.dir, backup.id, 'manifest.json'), 'utf8'),
    )
    expect(manifest).toEqual(backup.manifest)
    expect(manifest).toMatchObject({
      id: backup.id,
      engine,
      appVersion: t.ctx.config.version,
      migration: latest,
    })
    expect(manifest.tables.orders).toBe(1)
    expect(manifest.tables.products).toBeGreaterThan(0)
    // The backup's own row was written before the snapshot, as running.
    expect(manifest.tables.backups).toBe(1)
    expect(manifest.sizeBytes).toBe(statSync(archive).size)
    expect(backup.id).toMatch(/^bk_\d{8}T\d{6}Z_[0-9a-f]{6}$/)
  })

  it('verifies a good backup as good and records it', async () => {
    const report = await verifyBackup(t.ctx, backup.id, actor)
    expect(report.state).toBe('good')
    expect(report.checks.map((c) => c.name)).toEqual([
      'present',
      'manifest',
      'size',
      'sha256',
      'readable',
      'contents',
    ])
    expect((await getBackup(t.ctx, backup.id)).verifyState).toBe('good')
  })

  it.skipIf(engine !== 'postgres')(
    'PostgreSQL: restores into a new database with equal row counts',
    async () => {
      const lines: string[] = []
      restored = freshTarget()
      const result = await restoreBackup(t.ctx.config, backupStores(t.ctx), {
        id: backup.id,
        target: restored,
        progress: (line) => lines.push(line),
      })
      expect(result.integrity.ok).toBe(true)
      expect(result.integrity.migration).toEqual({
        expected: latest,
        actual: latest,
        ok: true,
      })
      expect(result.integrity.tables.find((row) => row.name === 'orders')).toEqual({
        name: 'orders',
        expected: 1,
        actual: 1,
        ok: true,
      })
      expect(result.target).not.toContain('@')
      expect(lines.some((line) => line.startsWith('table '))).toBe(true)
    },
  )

  it.skipIf(engine !== 'pglite')(
    'PGlite: restores into a new data directory with equal row counts',
    async () => {
      const target = freshTarget()
      const result = await restore({ target })
      expect(result.integrity.ok).toBe(true)
      expect(result.integrity.migration.actual).toBe(latest)
      expect(result.integrity.tables.find((row) => row.name === 'orders')).toMatchObject({
        expected: 1,
        actual: 1,
      })
      expect(statSync(path.join(target, 'pg', 'PG_VERSION')).isFile()).toBe(true)
      // The directory now holds a database: a second restore into it is refused.
      await expect(restore({ target })).rejects.toMatchObject({ statusCode: 409 })
    },
  )

  it('refuses to restore into the live database', async () => {
    const live = engine === 'postgres' ? t.ctx.config.database.connectionString! : t.ctx.config.dataDir
    await expect(restore({ target: live })).rejects.toMatchObject({ statusCode: 409, code: 'LIVE_TARGET' })
  })

  it.skipIf(engine !== 'postgres')(
    'PostgreSQL: refuses a target database that already has tables',
    async () => {
      const target = restored!
      await expect(restore({ target })).rejects.toMatchObject({ statusCode: 409 })
    },
  )

  it('reports a corrupted archive as corrupt and will not restore it without --force', async () => {
    const bytes = readFileSync(path.join(dir, 'good'))
    const middle = Math.floor(bytes.length / 2)
    for (let i = middle; i < middle + 16; i++) bytes[i] = bytes[i]! ^ 0xff
    writeFileSync(archive, bytes)
    const report = await verifyBackup(t.ctx, backup.id, actor)
    expect(report.state).toBe('corrupt')
    expect(report.checks.find((c) => c.name === 'sha256')?.ok).toBe(false)
    expect((await getBackup(t.ctx, backup.id)).verifyState).toBe('corrupt')
    await expect(restore({ target: freshTarget() })).rejects.toMatchObject({
      statusCode: 409,
      code: 'BACKUP_CORRUPT',
    })
  })

  it('reports a truncated archive as corrupt (and unreadable)', async () => {
    const bytes = readFileSync(path.join(dir, 'good'))
    writeFileSync(archive, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    const report = await verifyBackup(t.ctx, backup.id, actor)
    expect(report.state).toBe('corrupt')
    const failed = report.checks.filter((c) => !c.ok).map((c) => c.name)
    expect(failed).toContain('size')
    expect(failed).toContain('sha256')
    if (engine === 'pglite') expect(failed).toContain('readable')
    await expect(restore({ target: freshTarget() })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
    copyFileSync(path.join(dir, 'good'), archive)
  })

  it('the CLI refuses the live target (one process)', async () => {
    const env: Record<string, string> = {
      DATA_DIR: t.ctx.config.dataDir,
      BACKUP_DIR: t.ctx.config.backups.dir,
      LOG_LEVEL: 'silent',
    }
    if (engine === 'postgres') env.DATABASE_URL = t.ctx.config.database.connectionString!
    const target = engine === 'postgres' ? env.DATABASE_URL! : t.ctx.config.dataDir
    const result = await runSentia(['backup:restore', backup.id, '--target', target], env)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('is the live database')
    expect(result.stderr).toContain('--force-live')
  })

  it('lets admins only use the API', async () => {
    const viewer = await as(t.ctx, 'viewer')
    for (const [method, url] of [
      ['GET', '/api/backups'],
      ['POST', '/api/backups'],
      ['GET', `/api/backups/${backup.id}`],
      ['POST', `/api/backups/${backup.id}/verify`],
    ] as const) {
      expect((await t.app.inject({ method, url, headers: viewer })).statusCode).toBe(403)
    }
    const admin = await as(t.ctx, 'admin')
    const list = await t.app.inject({ method: 'GET', url: '/api/backups', headers: admin })
    expect(list.json().items.map((b: { id: string }) => b.id)).toContain(backup.id)
    const one = await t.app.inject({ method: 'GET', url: `/api/backups/${backup.id}`, headers: admin })
    expect(one.json().manifest.tables.orders).toBe(1)
    const verified = await t.app.inject({
      method: 'POST',
      url: `/api/backups/${backup.id}/verify`,
      headers: admin,
    })
    expect(verified.json().state).toBe('good')
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/backups/bk_20200101T000000Z_000000',
      headers: admin,
    })
    expect(missing.statusCode).toBe(404)
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select('action')
      .where('target_id', '=', backup.id)
      .execute()
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['backup_create', 'backup_verify']))
  })

  it('applies retention to the table and the stores', async () => {
    const store = new LocalStore(t.ctx.config.backups.dir)
    const old = 'bk_20200101T020000Z_abcdef'
    const file = path.join(dir, 'x')
    writeFileSync(file, 'x')
    await store.put(`${old}/data.dump`, file)
    await store.put(`${old}/manifest.json`, file)
    await t.ctx.db
      .insertInto('backups')
      .values({ id: old, engine, status: 'failed', started_at: '2020-01-01T02:00:00Z', error: 'test' })
      .execute()
    expect(await applyRetention(t.ctx)).toEqual([old])
    expect(await store.list(`${old}/`)).toEqual([])
    expect((await store.list(`${backup.id}/`)).length).toBe(2)
    const rows = await t.ctx.db.selectFrom('backups').select('id').execute()
    expect(rows.map((r) => r.id)).toEqual([backup.id])
  })
})

describe('backup tools and schedule', () => {
  it('names pg_dump when it is missing, and both versions when it is older than the server', async () => {
    await expect(toolMajor('pg_dump-not-installed')).rejects.toMatchObject({
      code: 'BACKUP_TOOL_MISSING',
      message: expect.stringContaining('pg_dump-not-installed was not found'),
    })
    expect(() => checkDumpVersion({ major: 14, version: '14.9' }, 150020)).toThrow(
      'pg_dump 14.9 is older than the PostgreSQL server 15.20',
    )
    expect(() => checkDumpVersion({ major: 16, version: '16.1' }, 150020)).not.toThrow()
  })

  it('schedules backups.create from BACKUP_SCHEDULE (off: none), as a singleton', () => {
    const job = modules.flatMap((m) => m.jobs ?? []).find((j) => j.name === 'backups.create')!
    expect(job.singleton).toBe(true)
    const schedule = job.schedule as (config: ReturnType<typeof loadConfig>) => string | undefined
    expect(schedule(loadConfig({}))).toBe('0 2 * * *')
    expect(schedule(loadConfig({ BACKUP_SCHEDULE: 'off' }))).toBeUndefined()
    expect(() => loadConfig({ BACKUP_SCHEDULE: '61 * * * *' })).toThrow('BACKUP_SCHEDULE')
    expect(loadConfig({ DATA_DIR: '/srv/sentia' }).backups).toEqual({
      dir: '/srv/sentia/backups',
      schedule: '0 2 * * *',
      keep: { daily: 7, weekly: 4, monthly: 6 },
      drillSchedule: '0 4 1 * *',
      objectives: { rtoSeconds: 4 * 3600, rpoSeconds: 3600 },
    })
  })
})
