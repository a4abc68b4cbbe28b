import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClock } from '../../test/clock.ts'
import { freePort, type RunningInstance, runSentia, startInstance } from '../../test/instance.ts'
import { createApiKey } from '../modules/apikeys/service.ts'
import { CHECK_TTL_MS } from '../modules/health/service.ts'
import { formatReport } from './checks.ts'
import { AUTHENTICATED_READS, verifyProduction } from './production.ts'

const system = { type: 'system' as const, id: 'test' }
/** Harness only: a request that hangs must not hang the test run; nothing asserts on time. */
const timeoutMs = 60_000

const EXPECTED_CHECKS = [
  'GET /health: every component ok',
  'GET /health/ready',
  ...AUTHENTICATED_READS.map((r) => `GET ${r.path} with the API key`),
  ...AUTHENTICATED_READS.map((r) => `GET ${r.path} without credentials is refused`),
]

describe('verify:production against a running instance', () => {
  let instance: RunningInstance
  let viewerKey: string
  beforeAll(async () => {
    instance = await startInstance({ demoDays: 14, env: { RATE_LIMIT_PER_MINUTE: '100000' } })
    viewerKey = (await createApiKey(instance.ctx, { name: 'verify', role: 'viewer' }, system)).key
  })
  afterAll(() => instance.close())

  const target = () => ({ url: instance.url, from: '--url' as const })

  it('passes on a healthy instance, one passed line per check with its status and time', async () => {
    const report = await verifyProduction({ target: target(), apiKey: viewerKey, timeoutMs })
    expect(report).toMatchObject({ ok: true, passed: EXPECTED_CHECKS.length, failed: 0, notRun: 0 })
    expect(report.checks.map((c) => c.name)).toEqual(EXPECTED_CHECKS)
    for (const check of report.checks) {
      expect(check.outcome).toBe('passed')
      expect(check.ms).toBeGreaterThanOrEqual(0)
      expect(check.status).toBe(check.name.endsWith('refused') ? 401 : 200)
    }
    const health = report.checks[0]!
    for (const component of ['database ok', 'cache ok', 'jobs ok', 'disk ok'])
      expect(health.detail).toContain(component)
    const me = report.checks.find((c) => c.name === 'GET /api/me with the API key')!
    expect(me.detail).toBe('apikey "verify", role viewer')
    const orders = report.checks.find((c) => c.name.startsWith('GET /api/orders?limit=1 with'))!
    const newest = await instance.ctx.db
      .selectFrom('orders')
      .select('id')
      .orderBy('placed_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(orders.detail).toContain(`newest order ${newest.id}`)

    const text = formatReport(report)
    expect(text.split('\n')[0]).toBe(`verify:production against ${instance.url} (from --url) as an API key`)
    expect(text).toMatch(/^✓ GET \/health: every component ok +200 +\d+ ms {2}/m)
    expect(text.trimEnd().split('\n').at(-1)).toBe(`all ${EXPECTED_CHECKS.length} checks passed`)
  })

  it('fails every authenticated read with a wrong key, saying why, and still passes the rest', async () => {
    const report = await verifyProduction({
      target: target(),
      apiKey: 'sk_live_this_key_does_not_exist_0000000000000000',
      timeoutMs,
    })
    expect(report.ok).toBe(false)
    const authenticated = report.checks.filter((c) => c.name.endsWith('with the API key'))
    expect(authenticated).toHaveLength(AUTHENTICATED_READS.length)
    for (const check of authenticated) {
      expect(check).toMatchObject({ outcome: 'failed', status: 401 })
      expect(check.reason).toMatch(/^expected HTTP 200, got 401 \(UNAUTHORIZED: /)
    }
    expect(report.checks.filter((c) => c.outcome === 'passed').map((c) => c.name)).toEqual(
      EXPECTED_CHECKS.filter((name) => !name.endsWith('with the API key')),
    )
  })

  it('reports the authenticated reads as failed, not skipped, without a key', async () => {
    const report = await verifyProduction({ target: target(), timeoutMs })
    expect(report.ok).toBe(false)
    expect(report.failed).toBe(AUTHENTICATED_READS.length)
    for (const check of report.checks.filter((c) => c.name.endsWith('with the API key')))
      expect(check).toMatchObject({
        outcome: 'failed',
        status: null,
        reason: 'no API key: set SENTIA_API_KEY or pass --api-key (a viewer key is enough)',
      })
  })

  it('as a command: exit 0 on a healthy instance with the key from SENTIA_API_KEY', async () => {
    const result = await runSentia(['verify:production'], {
      BASE_URL: instance.url,
      SENTIA_API_KEY: viewerKey,
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const lines = result.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe(`verify:production against ${instance.url} (from BASE_URL) as an API key`)
    for (const name of EXPECTED_CHECKS) expect(lines.some((l) => l.startsWith(`✓ ${name} `))).toBe(true)
    expect(lines.at(-1)).toBe(`all ${EXPECTED_CHECKS.length} checks passed`)
  })

  it('as a command: --url wins over BASE_URL, and --json prints the report; exit 1 with a wrong key', async () => {
    const result = await runSentia(
      ['verify:production', '--url', instance.url, '--api-key', 'sk_wrong', '--json', '--timeout', '60000'],
      { BASE_URL: 'http://127.0.0.1:9', PRODUCTION_URL: 'http://127.0.0.1:9' },
    )
    expect(result.code).toBe(1)
    const report = JSON.parse(result.stdout)
    expect(report).toMatchObject({ target: instance.url, targetFrom: '--url', ok: false })
    expect(report.failed).toBe(AUTHENTICATED_READS.length)
    expect(result.stderr).toContain(`verify:production: ${AUTHENTICATED_READS.length} of`)
  })

  it('as a command: exit 2 without a target or with a bad option, before any request', async () => {
    const none = await runSentia(['verify:production'], { SENTIA_API_KEY: viewerKey })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no instance to check: pass --url or set BASE_URL or PRODUCTION_URL')
    const notHttp = await runSentia(['verify:production', '--url', 'ftp://example.com'])
    expect(notHttp.code).toBe(2)
    expect(notHttp.stderr).toContain('--url must be an http or https URL')
    const unknown = await runSentia(['verify:production', '--url', instance.url, '--no-such-option'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown option '--no-such-option'")
    const timeout = await runSentia(['verify:production', '--url', instance.url, '--timeout', 'soon'])
    expect(timeout.code).toBe(2)
    expect(timeout.stderr).toContain('--timeout must be a whole number of milliseconds')
  })
})

describe('verify:production against an instance that is down', () => {
  it('fails the health check as unreachable and runs no other check; exit 1', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const report = await verifyProduction({
      target: { url, from: 'PRODUCTION_URL' },
      apiKey: 'sk_x',
      timeoutMs,
    })
    expect(report.ok).toBe(false)
    expect(report.checks[0]).toMatchObject({ outcome: 'failed', status: null })
    expect(report.checks[0]!.reason).toMatch(/^no answer: .*ECONNREFUSED/)
    expect(report.checks.slice(1).every((c) => c.outcome === 'not run')).toBe(true)
    expect(report.checks.map((c) => c.name)).toEqual(EXPECTED_CHECKS)

    const result = await runSentia(['verify:production'], { PRODUCTION_URL: url, SENTIA_API_KEY: 'sk_x' })
    expect(result.code).toBe(1)
    expect(result.stdout).toContain(`verify:production against ${url} (from PRODUCTION_URL)`)
    expect(result.stdout).toMatch(/^✗ GET \/health: every component ok +--- +no answer: /m)
  })
})

describe('verify:production against an unhealthy instance', () => {
  it('fails with exit 1 naming the component that is down', async () => {
    const clock = new TestClock(new Date())
    const instance = await startInstance({ clock, start: false, env: { RATE_LIMIT_PER_MINUTE: '100000' } })
    try {
      const key = (await createApiKey(instance.ctx, { name: 'verify', role: 'viewer' }, system)).key
      const target = { url: instance.url, from: '--url' as const }
      const before = await verifyProduction({ target, apiKey: key, timeoutMs })
      expect(`${before.checks[0]!.detail ?? before.checks[0]!.reason}`).toContain('database ok')

      // The database goes away, as in the health module's own test; the next check sees it.
      await instance.ctx.database.pool.end()
      clock.advance(CHECK_TTL_MS)
      const report = await verifyProduction({ target, apiKey: key, timeoutMs })
      expect(report.ok).toBe(false)
      expect(report.checks[0]).toMatchObject({
        name: 'GET /health: every component ok',
        outcome: 'failed',
        status: 503,
      })
      expect(report.checks[0]!.reason).toMatch(/^HTTP 503, status down: database down \(/)
      expect(report.checks[1]).toMatchObject({ name: 'GET /health/ready', outcome: 'failed', status: 503 })

      const result = await runSentia(['verify:production', '--url', instance.url, '--api-key', key])
      expect(result.code).toBe(1)
      expect(result.stdout).toMatch(/^✗ GET \/health: every component ok +503 .*database down/m)
    } finally {
      await instance.close()
    }
  })
})
