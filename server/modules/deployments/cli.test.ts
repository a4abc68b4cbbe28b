import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import {
  closeContext,
  createPersistentDatabase,
  type PersistentDatabase,
} from '../../../test/persistent-database.ts'

/** `sentia deployments` and `deployments:record` as an operator runs them: on the database, or --url. */

const bin = path.resolve('bin/sentia.js')

function sentia(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('sentia deployments against a running instance (--url)', () => {
  let t: TestApp
  let url: string
  let key: string
  const clock = new TestClock('2026-06-01T10:00:00Z')

  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false, env: { APP_ENV: 'production' } })
    url = await t.app.listen({ host: '127.0.0.1', port: 0 })
    key = (await as(t.ctx, 'operator')).authorization.slice('Bearer '.length)
  })
  afterAll(() => t.close())
  const remote = () => ['--url', url, '--api-key', key]

  it('records a deploy and a rollback, and lists them newest first with --limit', async () => {
    const deploy = await sentia([
      'deployments:record',
      '--version',
      '5.0.0',
      '--commit',
      '0123456789abcdef0123',
      '--started-at',
      '2026-06-01T09:50:00Z',
      '--json',
      ...remote(),
    ])
    expect(deploy.stderr).toBe('')
    expect(deploy.code).toBe(0)
    expect(JSON.parse(deploy.stdout).items[0]).toMatchObject({
      version: '5.0.0',
      kind: 'deploy',
      source: 'api',
    })
    clock.advance(60_000)
    await sentia(['deployments:record', '--version', '5.1.0', ...remote()])
    clock.advance(60_000)
    const rollback = await sentia([
      'deployments:record',
      '--version',
      '5.0.0',
      '--commit',
      '0123456789abcdef0123',
      '--kind',
      'rollback',
      ...remote(),
    ])
    expect(rollback.code).toBe(0)
    expect(rollback.stdout).toMatch(/rollback of 5\.1\.0\s+succeeded\s+pending/)

    const table = await sentia(['deployments', '--limit', '2', ...remote()])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^id\s+when\s+version\s+commit\s+environment\s+kind\s+status\s+regression$/)
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(
      /2026-06-01T10:02:00.000Z\s+5\.0\.0\s+0123456789ab\s+production\s+rollback of 5\.1\.0\s+succeeded\s+pending/,
    )
    expect(lines[2]).toMatch(/5\.1\.0\s+production\s+deploy\s+succeeded\s+pending/)

    const json = await sentia(['deployments', '--limit', '5', '--json', ...remote()])
    expect(JSON.parse(json.stdout).items.map((d: { version: string }) => d.version)).toEqual([
      '5.0.0',
      '5.1.0',
      '5.0.0',
    ])
  })

  it('refuses bad options and reports the API’s refusal, exiting non-zero', async () => {
    const limit = await sentia(['deployments', '--limit', '0', ...remote()])
    expect(limit.code).toBe(1)
    expect(limit.stderr).toContain('--limit must be 1 to 200')
    const kind = await sentia(['deployments:record', '--version', '1.0.0', '--kind', 'hotfix', ...remote()])
    expect(kind.code).toBe(1)
    expect(kind.stderr).toContain('--kind must be deploy or rollback')
    const refused = await sentia(['deployments:record', '--version', 'not a version', ...remote()])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('HTTP 400')
  })
})

describe('sentia deployments on the local database', () => {
  let database: PersistentDatabase
  beforeAll(async () => {
    database = await createPersistentDatabase()
  })
  afterAll(() => database.drop())

  it('records and lists without a running server', async () => {
    const env = { ...database.env, APP_ENV: 'staging' }
    const recorded = await sentia(
      ['deployments:record', '--version', '7.2.0', '--commit', 'feedbeef', '--notes', 'hotfix host'],
      env,
    )
    expect(recorded.stderr).toBe('')
    expect(recorded.code).toBe(0)
    const listed = await sentia(['deployments', '--limit', '5', '--json'], env)
    expect(listed.code).toBe(0)
    const [item] = JSON.parse(listed.stdout).items
    expect(item).toMatchObject({
      version: '7.2.0',
      commit: 'feedbeef',
      environment: 'staging',
      source: 'cli',
      createdBy: 'system:cli',
      notes: 'hotfix host',
    })
    const audited = await database.open({ start: false })
    try {
      const entry = await audited.db
        .selectFrom('audit_logs')
        .select(['actor_type', 'actor_id', 'action'])
        .where('target_id', '=', item.id)
        .executeTakeFirstOrThrow()
      expect(entry).toEqual({ actor_type: 'system', actor_id: 'cli', action: 'deployment_record' })
    } finally {
      await closeContext(audited)
    }
  })
})
