import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { as, buildTestApp, closeTestContext, createTestContext, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { ConfigError, loadConfig } from '../../config.ts'
import { type AppContext, closeContext, createContext, startContext } from '../../context.ts'
import { createLogger } from '../../platform/observability/logger.ts'
import { auditRetentionJob } from '../audit/jobs.ts'
import { modules } from '../index.ts'
import { databaseBloat } from './bloat.ts'
import { printReport } from './cli.ts'
import { analyzeJob, reindexJob } from './jobs.ts'
import { RUNS_RETENTION_DAYS, RunFailure, recordRun } from './record.ts'
import {
  latestRuns,
  MAINTENANCE_JOBS,
  maintenanceJob,
  maintenanceReport,
  runMaintenanceJob,
} from './service.ts'
import { reindexBloated } from './tasks.ts'

const DAY = 86_400_000
const engine = inject('template').engine

async function runsOf(ctx: AppContext, job: string) {
  return ctx.db.selectFrom('db_maintenance_runs').selectAll().where('job', '=', job).orderBy('id').execute()
}

/** Waits (bounded) until `check` holds; for what PostgreSQL updates asynchronously. */
async function until(check: () => Promise<boolean>, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('condition not reached')
}

describe('database maintenance config', () => {
  it('reads the schedules, turns them off with off, and refuses a bad cron expression', () => {
    const defaults = loadConfig({}).dbMaintenance
    expect(defaults).toEqual({
      analyzeSchedule: '0 3 * * 0',
      reindexSchedule: '30 3 * * 0',
      reindexBloatPercent: 30,
    })
    const config = loadConfig({ DB_ANALYZE_SCHEDULE: 'off', DB_REINDEX_SCHEDULE: '15 2 * * 6' })
    expect(analyzeJob.schedule).toBeTypeOf('function')
    expect(typeof analyzeJob.schedule === 'function' && analyzeJob.schedule(config)).toBeUndefined()
    expect(typeof reindexJob.schedule === 'function' && reindexJob.schedule(config)).toBe('15 2 * * 6')
    expect(() => loadConfig({ DB_ANALYZE_SCHEDULE: 'every sunday' })).toThrow(ConfigError)
    expect(() => loadConfig({ DB_REINDEX_SCHEDULE: '0 3 * *' })).toThrow(/DB_REINDEX_SCHEDULE/)
    expect(() => loadConfig({ DB_REINDEX_BLOAT_PERCENT: '0' })).toThrow(/DB_REINDEX_BLOAT_PERCENT/)
  })

  it('registers both jobs as singletons of a module', () => {
    const jobs = modules.flatMap((m) => m.jobs ?? []).filter((j) => j.name.startsWith('dbmaintenance.'))
    expect(jobs.map((j) => [j.name, j.singleton])).toEqual([
      ['dbmaintenance.analyze', true],
      ['dbmaintenance.reindex', true],
    ])
    expect(maintenanceJob('analyze').name).toBe('dbmaintenance.analyze')
    expect(() => maintenanceJob('vacuum')).toThrow(/no maintenance job "vacuum"/)
  })
})

describe(`database maintenance (${engine})`, () => {
  let t: TestApp
  let ctx: AppContext
  const clock = new TestClock('2026-06-10T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock })
    ctx = t.ctx
  })
  afterAll(() => t.close())

  it('records a run of every maintenance and retention job with its duration and outcome', async () => {
    for (const job of MAINTENANCE_JOBS) {
      const run = await runMaintenanceJob(ctx, job.name)
      expect(run, job.name).toMatchObject({
        job: job.name,
        instance: ctx.instanceId,
        outcome: 'ok',
        error: null,
      })
      expect(run.durationMs).toBeGreaterThanOrEqual(0)
      expect(new Date(run.finishedAt!).getTime()).toBe(new Date(run.startedAt).getTime() + run.durationMs!)
      expect(run.detail).not.toBeNull()
    }
    const [analyze] = await runsOf(ctx, 'dbmaintenance.analyze')
    expect(analyze!.started_at).toEqual(clock.now())
    expect((analyze!.detail as { tables: number }).tables).toBeGreaterThan(50)
    const [reindex] = await runsOf(ctx, 'dbmaintenance.reindex')
    expect(reindex!.detail).toMatchObject({
      method: engine === 'postgres' ? 'REINDEX INDEX CONCURRENTLY' : 'REINDEX INDEX',
      bloatPercent: 30,
      minBytes: 1024 * 1024,
    })
    expect((reindex!.detail as { examined: number }).examined).toBeGreaterThan(50)
  })

  it('records a failed run with its error (and what it did) and rethrows it', async () => {
    await expect(
      recordRun(ctx, 'test.failing', async () => {
        throw new RunFailure('could not rebuild x', { reindexed: [], failed: [{ index: 'x' }] })
      }),
    ).rejects.toThrow('could not rebuild x')
    await expect(
      recordRun(ctx, 'test.failing', () => sql`select * from no_such_table`.execute(ctx.db).then(() => ({}))),
    ).rejects.toThrow(/no_such_table/)
    const [first, second] = await runsOf(ctx, 'test.failing')
    expect(first).toMatchObject({
      outcome: 'failed',
      error: 'could not rebuild x',
      detail: { failed: [{ index: 'x' }] },
    })
    expect(first?.finished_at).not.toBeNull()
    expect(first?.duration_ms).toBeGreaterThanOrEqual(0)
    expect(second).toMatchObject({ outcome: 'failed', detail: null })
    expect(second?.error).toMatch(/relation "no_such_table" does not exist/)
  })

  it('audit retention through its job deletes only entries past the retention and records the count', async () => {
    // pruneAuditLogs (and the audit trigger) compare with the database's now(), not the app clock.
    await sql`insert into audit_logs (created_at, actor_type, actor_id, action)
      select now() - make_interval(days => d), 'system', 'test', 'settings_change'
      from unnest(array[91, 120, 365, 89, 10]) d`.execute(ctx.db)
    const count = async () =>
      Number(
        (
          await ctx.db
            .selectFrom('audit_logs')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('actor_id', '=', 'test')
            .executeTakeFirstOrThrow()
        ).n,
      )
    expect(await count()).toBe(5)
    await auditRetentionJob.handler({}, ctx)
    expect(await count()).toBe(2)
    const runs = await runsOf(ctx, 'audit.retention')
    expect(runs.at(-1)).toMatchObject({ outcome: 'ok', detail: { deleted: 3, days: 90 } })
  })

  it('deletes runs older than the retention as jobs run', async () => {
    const old = (days: number) => ({
      job: 'dbmaintenance.analyze',
      instance: 'gone',
      started_at: new Date(clock.ms() - days * DAY),
      finished_at: new Date(clock.ms() - days * DAY),
      duration_ms: 5,
      outcome: 'ok' as const,
    })
    await ctx.db
      .insertInto('db_maintenance_runs')
      .values([old(RUNS_RETENTION_DAYS + 1), old(RUNS_RETENTION_DAYS - 1)])
      .execute()
    await analyzeJob.handler({}, ctx)
    const ages = (await runsOf(ctx, 'dbmaintenance.analyze'))
      .filter((r) => r.instance === 'gone')
      .map((r) => Math.round((clock.ms() - r.started_at.getTime()) / DAY))
    expect(ages).toEqual([RUNS_RETENTION_DAYS - 1])
  })

  it('flags a table after most of its rows are deleted, then its bloated indexes once analyzed, and rebuilds them', async () => {
    await ctx.db.connection().execute(async (conn) => {
      // No autovacuum: the dead rows must stay until the report has seen them.
      await sql`create table scratch_bloat (id integer primary key, v text not null)
        with (autovacuum_enabled = false)`.execute(conn)
      await sql`insert into scratch_bloat select g, md5(g::text) from generate_series(1, 5000) g`.execute(
        conn,
      )
      await sql`create index scratch_bloat_v_idx on scratch_bloat (v)`.execute(conn)
      await sql`delete from scratch_bloat where id > 1000`.execute(conn)
      // The counters reach pg_stat_user_tables when this session goes idle, not at once.
      await sql`select pg_stat_force_next_flush()`.execute(conn)
    })
    const scratch = async (minBytes?: number) =>
      (await databaseBloat(ctx, { minBytes })).find((table) => table.table === 'scratch_bloat')!
    await until(async () => (await scratch())?.deadTuples >= 4000)

    const before = await scratch()
    expect(before).toMatchObject({ liveTuples: 1000, deadTuples: 4000, deadRatio: 0.8, lastAnalyze: null })
    expect(before.advice).toEqual(['VACUUM (ANALYZE) scratch_bloat'])
    expect(before.tableBytes).toBeGreaterThan(0)
    // Never analyzed: no statistics to estimate the indexes' bloat from.
    expect(before.indexes.map((i) => [i.index, i.bloatPercent])).toEqual([
      ['scratch_bloat_pkey', null],
      ['scratch_bloat_v_idx', null],
    ])

    await analyzeJob.handler({}, ctx)
    const reindex = engine === 'postgres' ? 'REINDEX INDEX CONCURRENTLY' : 'REINDEX INDEX'
    // Under the 1 MiB minimum the indexes are not flagged; with a smaller minimum they are.
    expect((await scratch()).advice).toEqual(['VACUUM (ANALYZE) scratch_bloat'])
    const analyzed = await scratch(64 * 1024)
    expect(analyzed.lastAnalyze).not.toBeNull()
    expect(analyzed.advice).toContain(`${reindex} scratch_bloat_v_idx`)
    const vIndex = analyzed.indexes.find((i) => i.index === 'scratch_bloat_v_idx')!
    expect(vIndex.bloatPercent).toBeGreaterThan(60)

    await recordRun(ctx, 'dbmaintenance.reindex', () => reindexBloated(ctx, { minBytes: 64 * 1024 }))
    const run = (await latestRuns(ctx, { perJob: 1, job: 'dbmaintenance.reindex' }))[0]!
    expect(run.outcome).toBe('ok')
    const rebuilt = (
      run.detail!.reindexed as { index: string; bytesBefore: number; bytesAfter: number }[]
    ).find((r) => r.index === 'scratch_bloat_v_idx')!
    expect(rebuilt.bytesAfter).toBeLessThan(rebuilt.bytesBefore / 2)
    const after = await scratch(64 * 1024)
    expect(after.indexes.find((i) => i.index === 'scratch_bloat_v_idx')!.bloatPercent).toBeLessThan(30)
    expect(after.advice).toEqual(['VACUUM (ANALYZE) scratch_bloat'])
  })

  it('advises ANALYZE for a never-analyzed table with rows', async () => {
    await ctx.db.connection().execute(async (conn) => {
      await sql`create table scratch_fresh (id integer) with (autovacuum_enabled = false)`.execute(conn)
      await sql`insert into scratch_fresh select generate_series(1, 10)`.execute(conn)
      await sql`select pg_stat_force_next_flush()`.execute(conn)
    })
    const fresh = async () => (await databaseBloat(ctx)).find((table) => table.table === 'scratch_fresh')
    await until(async () => (await fresh())?.liveTuples === 10)
    expect((await fresh())?.advice).toEqual(['ANALYZE scratch_fresh'])
  })

  it('prints the report for people: schedules, latest runs and the statements to run', async () => {
    const out: string[] = []
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void out.push(`${line}\n`))
    const write = vi
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: unknown) => out.push(String(chunk)) > 0)
    try {
      printReport(await maintenanceReport(ctx, 1))
    } finally {
      log.mockRestore()
      write.mockRestore()
    }
    const text = out.join('')
    expect(text).toMatch(/dbmaintenance\.analyze +0 3 \* \* 0/)
    expect(text).toMatch(/audit\.retention +\S+ +\d+ ms +ok +days=90 deleted=3/)
    expect(text).toMatch(/scratch_bloat +4000 \(80 %\) +\S+ +VACUUM \(ANALYZE\) scratch_bloat;/)
    expect(text).toContain('ANALYZE scratch_fresh;')
  })

  it('GET /api/ops/database/maintenance gives admins the latest runs per job and the bloat report', async () => {
    const denied = await t.app.inject({
      method: 'GET',
      url: '/api/ops/database/maintenance',
      headers: await as(ctx, 'operator'),
    })
    expect(denied.statusCode).toBe(403)
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/ops/database/maintenance?perJob=1',
      headers: await as(ctx, 'admin'),
    })
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.engine).toBe(engine)
    expect(body.jobs).toContainEqual(
      expect.objectContaining({ name: 'dbmaintenance.analyze', schedule: '0 3 * * 0' }),
    )
    // One (the latest) run per job.
    const jobs = body.runs.map((r: { job: string }) => r.job)
    expect(new Set(jobs).size).toBe(jobs.length)
    expect(body.runs).toContainEqual(
      expect.objectContaining({ job: 'audit.retention', outcome: 'ok', detail: { deleted: 3, days: 90 } }),
    )
    expect(body.bloat).toContainEqual(
      expect.objectContaining({ table: 'scratch_bloat', advice: ['VACUUM (ANALYZE) scratch_bloat'] }),
    )
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/ops/database/maintenance?perJob=0',
      headers: await as(ctx, 'admin'),
    })
    expect(bad.statusCode).toBe(400)
  })
})

describe.skipIf(engine !== 'postgres')('database maintenance with two workers (PostgreSQL)', () => {
  let first: AppContext
  let second: AppContext
  beforeAll(async () => {
    first = await createTestContext({ start: true })
    // A second replica: its own process state and job workers, on the same database.
    second = await createContext({
      config: first.config,
      logger: createLogger({ ...first.config, logLevel: 'silent' }),
    })
    await startContext(second)
  })
  afterAll(async () => {
    await closeContext(second, 5000)
    await closeTestContext(first)
  })

  it('stores each schedule once, and runs a job sent once exactly once', async () => {
    const { rows } = await sql<{ name: string; n: number }>`
      select name, count(*)::int as n from pgboss.schedule where name like 'dbmaintenance.%'
      group by name order by name`.execute(first.db)
    expect(rows).toEqual([
      { name: 'dbmaintenance.analyze', n: 1 },
      { name: 'dbmaintenance.reindex', n: 1 },
    ])
    await second.jobs.send(analyzeJob, {})
    await until(
      async () => (await runsOf(first, 'dbmaintenance.analyze')).some((r) => r.outcome !== null),
      300,
    )
    // Both workers poll every 2 s: give the other one the chance to run it too.
    await new Promise((resolve) => setTimeout(resolve, 2500))
    const runs = await runsOf(first, 'dbmaintenance.analyze')
    expect(runs).toHaveLength(1)
    expect(runs[0]?.outcome).toBe('ok')
    expect([first.instanceId, second.instanceId]).toContain(runs[0]?.instance)
  })
})
