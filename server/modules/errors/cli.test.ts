import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { silentLogger } from '../../../test/template.ts'
import { CliError } from '../../cli/output.ts'
import { loadConfig } from '../../config.ts'
import { closeContext, createContext } from '../../context.ts'
import { parseDuration } from './cli.ts'
import { captureError } from './service.ts'

/** `sentia errors` as an operator runs it: a real process, against a running instance and on the database. */

const bin = path.resolve('bin/sentia.js')
const HOUR = 3_600_000

function sentia(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      cwd: mkdtempSync(path.join(tmpdir(), 'sentia-cwd-')),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

function recordEditError(): never {
  throw new TypeError('cannot edit batch 12')
}

describe('parseDuration', () => {
  it('reads minutes, hours and days, and refuses anything else', () => {
    expect(parseDuration('15m')).toBe(15 * 60_000)
    expect(parseDuration('1h')).toBe(HOUR)
    expect(parseDuration('7d')).toBe(7 * 24 * HOUR)
    for (const bad of ['1', 'h', '0h', '1w', '-1h', '1.5h'])
      expect(() => parseDuration(bad)).toThrow(CliError)
  })
})

describe('sentia errors', () => {
  let t: TestApp
  let url: string
  let apiKey: string
  // Real time: the command measures --since from its own clock.
  const clock = new TestClock(new Date(Date.now() - 3 * HOUR))
  beforeAll(async () => {
    t = await buildTestApp({
      clock,
      start: false,
      plugins: [
        (app) => {
          app.put('/test/batches/:id', { config: { access: 'public' } }, async () => recordEditError())
        },
      ],
    })
    await captureError(t.ctx, {
      type: 'RangeError',
      message: 'an old error',
      source: 'job',
      route: 'old.job',
    })
    clock.advance(3 * HOUR - 10 * 60_000)
    await t.app.inject({ method: 'PUT', url: '/test/batches/12' })
    await t.ctx.errorSink.idle()
    url = await t.app.listen({ host: '127.0.0.1', port: 0 })
    apiKey = (await as(t.ctx, 'admin')).authorization.replace('Bearer ', '')
  })
  afterAll(() => t.close())

  it('lists the groups seen in the last hour of a running instance', async () => {
    const result = await sentia(['errors', '--since', '1h', '--url', url, '--api-key', apiKey], {})
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const [header, ...rows] = result.stdout.trim().split('\n')
    expect(header).toMatch(/^id\s+lastSeen\s+count\s+source\s+type\s+route\s+message$/)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatch(/\s1\s+server\s+TypeError\s+PUT \/test\/batches\/:id\s+cannot edit batch 12$/)

    const wider = await sentia(['errors', '--since', '4h', '--json', '--url', url, '--api-key', apiKey], {})
    const { items } = JSON.parse(wider.stdout)
    expect(items.map((g: { type: string }) => g.type)).toEqual(['TypeError', 'RangeError'])

    const shown = await sentia(['errors', items[0].id, '--url', url, '--api-key', apiKey], {})
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain('TypeError: cannot edit batch 12')
    expect(shown.stdout).toContain('where      PUT /test/batches/:id')
    expect(shown.stdout).toMatch(/at recordEditError /)
  })

  it('reads the database directly without --url', async () => {
    let env: Record<string, string>
    let dataDir: string | undefined
    if (t.ctx.database.engine === 'postgres') {
      env = { DATABASE_URL: t.ctx.config.database.connectionString! }
    } else {
      // The embedded engine is held by one process: a data directory of its own, closed before the command runs.
      dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-errors-'))
      const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', DEMO_DATA: 'false' })
      const ctx = await createContext({ config, logger: silentLogger })
      await captureError(ctx, {
        type: 'TypeError',
        message: 'cannot edit batch 12',
        stack: 'TypeError: cannot edit batch 12\n    at recordEditError (/x/server/y.ts:1:1)',
        source: 'server',
      })
      await closeContext(ctx)
      env = { DATA_DIR: dataDir }
    }
    try {
      const result = await sentia(['errors', '--since', '1h', '--json'], env)
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      const { items } = JSON.parse(result.stdout)
      expect(items).toHaveLength(1)
      expect(items[0]).toMatchObject({ type: 'TypeError', message: 'cannot edit batch 12', count: 1 })

      const bad = await sentia(['errors', '--since', 'soon'], env)
      expect(bad.code).toBe(1)
      expect(bad.stderr).toContain('--since must be a duration like 15m, 1h or 7d')
    } finally {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
