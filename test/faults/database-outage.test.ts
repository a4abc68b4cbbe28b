import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../server/config.ts'
import { closeContext, createContext } from '../../server/context.ts'
import { createApiKey } from '../../server/modules/apikeys/service.ts'
import { freePort } from '../instance.ts'
import { silentLogger } from '../template.ts'
import { type AppProcess, sleep, startAppProcess } from './app-process.ts'
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from './private-postgres.ts'

/**
 * PostgreSQL stopped for 20 s under steady light load (PostgreSQL suite only). The app runs as a
 * real process on a private cluster, so stopping it touches no other test. While the database is
 * gone the process stays up, /health says so within 5 s, requests that need the database fail
 * fast with a 503 in the error shape, and nothing hangs; once PostgreSQL is back the app serves
 * again within 5 s without a restart, and a "Database down" alert is on record.
 */

const OUTAGE_MS = 20_000
/** The limit for /health to turn 503, for any request to take, and for recovery. */
const LIMIT_MS = 5000
const READERS = 4

interface Sample {
  route: 'health' | 'orders'
  start: number
  end: number
  status: number
  body: unknown
}

const unavailable = privatePostgresUnavailable()

describe.runIf(process.env.DATABASE_URL)('PostgreSQL stopped for 20 s under load', () => {
  let cluster: PrivatePostgres | undefined
  let server: AppProcess | undefined
  let dataDir: string
  let authorization: string
  let env: Record<string, string>

  beforeAll(async () => {
    if (unavailable) return
    cluster = await startPrivatePostgres()
    dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-outage-'))
    env = {
      DATABASE_URL: cluster.url,
      DATA_DIR: dataDir,
      DEMO_DATA: 'false',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '1000000',
      // Evaluations (which record the outage's alert) every 5 s rather than 10: a shorter wait.
      ALERT_EVALUATION_SECONDS: '5',
    }
    // Migrate the new cluster and make a viewer's key before the server starts.
    const config = loadConfig(env)
    const ctx = await createContext({ config, logger: silentLogger })
    try {
      const key = await createApiKey(
        ctx,
        { name: 'outage test', role: 'viewer' },
        { type: 'system', id: 'test' },
      )
      authorization = `Bearer ${key.key}`
    } finally {
      await closeContext(ctx)
    }
  })

  afterAll(async () => {
    await server?.kill()
    await cluster?.destroy()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  // Said in the test list rather than silently: this environment cannot stop a database of its own.
  if (unavailable) it.skip(`needs a private PostgreSQL cluster: ${unavailable}`, () => {})

  it.runIf(!unavailable)(
    'answers 503 fast while it is down, recovers without a restart and records the outage',
    async () => {
      server = await startAppProcess({ ...env, LOG_LEVEL: 'warn' }, await freePort())
      const url = server.url
      const samples: Sample[] = []
      let exitedEarly: unknown
      void server.exited.then((code) => (exitedEarly = code))

      const request = async (route: Sample['route']) => {
        const start = Date.now()
        const target = route === 'health' ? `${url}/health` : `${url}/api/orders?limit=5`
        const res = await fetch(target, {
          headers: route === 'orders' ? { authorization } : {},
          signal: AbortSignal.timeout(30_000),
        }).catch((error: Error) => error)
        const status = res instanceof Error ? 0 : res.status
        const body = res instanceof Error ? res.message : await res.json().catch(() => null)
        samples.push({ route, start, end: Date.now(), status, body })
      }
      let loading = true
      const load = Promise.all([
        ...Array.from({ length: READERS }, async () => {
          while (loading) {
            await request('orders')
            await sleep(50)
          }
        }),
        (async () => {
          while (loading) {
            await request('health')
            await sleep(250)
          }
        })(),
      ])

      try {
        await sleep(3000)
        const warm = samples.filter((s) => s.status !== 200)
        expect(warm, 'answers before the outage').toEqual([])

        const stopAt = Date.now()
        await cluster!.stop()
        const stopped = Date.now()
        await sleep(OUTAGE_MS - (Date.now() - stopAt))
        const startAt = Date.now()
        await cluster!.start()
        const started = Date.now()

        // Recovered: /health 200 and the database-backed route 200, both asked after the start.
        const recoveredBy = started + 30_000
        const firstOk = (route: Sample['route']) =>
          samples.find((s) => s.route === route && s.start >= started && s.status === 200)
        while ((!firstOk('health') || !firstOk('orders')) && Date.now() < recoveredBy) await sleep(50)
        loading = false
        await load

        const during = samples.filter((s) => s.start >= stopAt && s.start < startAt)
        const firstDown = samples.find((s) => s.route === 'health' && s.start >= stopAt && s.status === 503)
        const recovery = Math.max(firstOk('health')?.end ?? Number.NaN, firstOk('orders')?.end ?? Number.NaN)
        const figures = {
          stopMs: stopped - stopAt,
          healthDownAfterMs: firstDown ? firstDown.end - stopAt : null,
          maxLatencyDuringOutageMs: Math.max(...during.map((s) => s.end - s.start)),
          requestsDuringOutage: during.length,
          startMs: started - startAt,
          recoveredAfterMs: recovery - started,
        }
        process.stdout.write(`database outage: ${JSON.stringify(figures)}\n`)

        expect(exitedEarly, 'the process exited during the outage').toBeUndefined()
        expect(server.child.exitCode).toBeNull()
        expect(firstDown, '/health never answered 503').toBeDefined()
        expect(figures.healthDownAfterMs).toBeLessThanOrEqual(LIMIT_MS)
        // Nothing hung: every request asked during the outage was answered within the limit…
        expect(during.filter((s) => s.end - s.start > LIMIT_MS)).toEqual([])
        // …and the database-backed ones that failed failed with 503 in the error shape.
        const failed = during.filter((s) => s.route === 'orders' && s.status !== 200)
        expect(failed.length).toBeGreaterThan(0)
        expect(failed.filter((s) => s.status !== 503)).toEqual([])
        for (const s of failed)
          expect(s.body).toEqual({
            error: {
              code: 'DATABASE_UNAVAILABLE',
              message: expect.any(String),
              requestId: expect.any(String),
            },
          })
        // /health stays 503 for the rest of the outage.
        const healthLater = during.filter((s) => s.route === 'health' && s.start >= stopAt + LIMIT_MS)
        expect(healthLater.length).toBeGreaterThan(0)
        expect(healthLater.filter((s) => s.status !== 503)).toEqual([])
        expect(figures.recoveredAfterMs).toBeLessThanOrEqual(LIMIT_MS)

        // The outage is on record as a resolved critical alert with its own times.
        let alert: Record<string, string> | undefined
        const recordedBy = Date.now() + 30_000
        while (!alert && Date.now() < recordedBy) {
          const res = await fetch(`${url}/api/alerts?state=resolved`, { headers: { authorization } })
          const page = (await res.json()) as { items: Record<string, string>[] }
          alert = page.items.find((a) => a.ruleName === 'Database down')
          if (!alert) await sleep(500)
        }
        expect(alert, 'no "Database down" alert on record').toBeDefined()
        process.stdout.write(`database outage: alert on record ${Date.now() - started} ms after the start\n`)
        expect(alert).toMatchObject({ severity: 'critical', state: 'resolved' })
        const firedAt = Date.parse(alert!.firedAt!)
        const resolvedAt = Date.parse(alert!.resolvedAt!)
        expect(firedAt).toBeGreaterThanOrEqual(stopAt - 1000)
        expect(firedAt).toBeLessThanOrEqual(stopped + LIMIT_MS)
        expect(resolvedAt).toBeGreaterThanOrEqual(startAt)
        expect(resolvedAt).toBeLessThanOrEqual(started + LIMIT_MS)
      } finally {
        loading = false
        await load
      }
    },
  )
})
