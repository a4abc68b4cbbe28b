import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { createContact } from './contacts.ts'
import { createSchedule, putRotation } from './schedules.ts'

/** The `oncall:*` and `contacts:list` commands as an operator runs them, against a running instance (--url). */

const bin = path.resolve('bin/sentia.js')

function sentia(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('sentia oncall commands', () => {
  let t: TestApp
  let url: string
  let key: string
  const ids: Record<string, string> = {}
  const clock = new TestClock('2026-03-30T10:00:00Z')

  beforeAll(async () => {
    t = await buildTestApp({ clock, start: false })
    url = await t.app.listen({ host: '127.0.0.1', port: 0 })
    key = (await as(t.ctx, 'admin')).authorization.slice('Bearer '.length)
    const change = { actor: { type: 'system', id: 'test' } } as const
    for (const name of ['Alice', 'Bob']) {
      ids[name] = (
        await createContact(t.ctx, { name, kind: 'person', email: `${name}@example.com` }, change)
      ).id
    }
    await createContact(t.ctx, { name: 'Hosting support', kind: 'vendor', phone: '+44 20 7946 0001' }, change)
    const schedule = await createSchedule(t.ctx, { name: 'Platform', timezone: 'Europe/London' }, change)
    await putRotation(
      t.ctx,
      schedule.id,
      'primary',
      { participants: [ids.Alice!, ids.Bob!], shiftDays: 7, handoffTime: '09:00', startDate: '2026-03-30' },
      change,
    )
  })
  afterAll(() => t.close())
  const remote = () => ['--url', url, '--api-key', key]

  it('oncall:now prints who is on call at a time', async () => {
    const result = await sentia(['oncall:now', '--at', '2026-04-06T08:00:00Z', '--json', ...remote()])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const view = JSON.parse(result.stdout)
    expect(view).toMatchObject({
      schedule: { name: 'Platform' },
      primary: { name: 'Bob' },
      primaryUntil: '2026-04-13T08:00:00.000Z',
      secondary: null,
    })
    const table = await sentia(['oncall:now', '--schedule', 'Platform', ...remote()])
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('Platform (Europe/London)')
    expect(table.stdout).toMatch(/primary\s+Alice\s+2026-04-06T08:00:00.000Z\s+alice@example.com/)
  })

  it('oncall:override puts someone else on call, by schedule name', async () => {
    const result = await sentia([
      'oncall:override',
      '--schedule',
      'platform',
      '--tier',
      'primary',
      '--contact',
      ids.Bob!,
      '--from',
      '2026-03-30T12:00:00Z',
      '--to',
      '2026-03-31T12:00:00Z',
      '--reason',
      'swap with Alice',
      '--json',
      ...remote(),
    ])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ contactId: ids.Bob, reason: 'swap with Alice' })
    const now = JSON.parse(
      (await sentia(['oncall:now', '--at', '2026-03-30T13:00:00Z', '--json', ...remote()])).stdout,
    )
    expect(now.primary.name).toBe('Bob')
  })

  it('exits non-zero with the reason for a bad tier or an unknown schedule', async () => {
    const tier = await sentia([
      'oncall:override',
      ...['--schedule', 'Platform', '--tier', 'tertiary'],
      ...['--contact', ids.Bob!, '--from', '2026-04-01T00:00:00Z', '--to', '2026-04-02T00:00:00Z'],
      ...remote(),
    ])
    expect(tier.code).toBe(1)
    expect(tier.stderr).toContain('--tier must be primary or secondary')
    const unknown = await sentia(['oncall:now', '--schedule', 'Nope', ...remote()])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('HTTP 404')
  })

  it('contacts:list lists the directory, vendors alone with --kind', async () => {
    const all = await sentia(['contacts:list', '--json', ...remote()])
    expect(all.code).toBe(0)
    expect(JSON.parse(all.stdout).items.map((c: { name: string }) => c.name)).toEqual([
      'Alice',
      'Bob',
      'Hosting support',
    ])
    const vendors = await sentia(['contacts:list', '--kind', 'vendor', ...remote()])
    expect(vendors.stdout).toMatch(/vendor\s+Hosting support/)
    expect(vendors.stdout).not.toContain('Alice')
  })
})
