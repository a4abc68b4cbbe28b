import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as } from '../app.ts'
import { insertCatalogAndRates } from '../business.ts'
import { freePort } from '../instance.ts'
import { closeContext, createPersistentDatabase, type PersistentDatabase } from '../persistent-database.ts'
import { type AppProcess, sleep, startAppProcess } from './app-process.ts'

/**
 * kill -9 in the middle of order intake, on the suite's engine (embedded: a DATA_DIR whose lock
 * the killed process leaves behind; PostgreSQL: a fresh database on DATABASE_URL's server). 50
 * clients book orders with Idempotency-Keys; the server is killed while they do, restarted on the
 * same database, and every request that got no answer is sent again with its key until it gets
 * one. Afterwards every acknowledged order is stored exactly once and nothing else is.
 */

const CLIENTS = 50
/** Acknowledged orders before the kill: enough that intake is in full swing. */
const ACKS_BEFORE_KILL = 200
const REQUEST_TIMEOUT_MS = 10_000
/** How long the clients may keep retrying after the kill (restart included). */
const RETRY_WINDOW_MS = 90_000

interface Ack {
  key: string
  id: string
  replayed: boolean
  /** Acknowledged before the kill: must have survived it. */
  beforeKill: boolean
}

describe('kill -9 during order intake', () => {
  let database: PersistentDatabase
  let server: AppProcess | undefined
  let env: Record<string, string>
  let port: number
  let authorization: string

  beforeAll(async () => {
    database = await createPersistentDatabase()
    const ctx = await database.open({ start: false })
    try {
      await insertCatalogAndRates(ctx)
      authorization = (await as(ctx, 'operator')).authorization
    } finally {
      await closeContext(ctx)
    }
    port = await freePort()
    env = {
      ...database.env,
      LOG_LEVEL: 'warn',
      // One API key sends every order: the per-key limit is not what this test is about.
      RATE_LIMIT_PER_MINUTE: '1000000',
    }
  })

  afterAll(async () => {
    await server?.kill()
    await database?.drop()
  })

  it('keeps every acknowledged order exactly once across the kill and the retries', async () => {
    let started = Date.now()
    server = await startAppProcess(env, port)
    const firstStartMs = Date.now() - started
    const acks: Ack[] = []
    let killed = false
    let failedAttempts = 0
    let retries = 0
    let retryDeadline = Number.POSITIVE_INFINITY
    let inFlight = 0
    const refusals: string[] = []

    /** Sends one order with `key` until it is acknowledged (201); network errors and 5xx are retried. */
    const book = async (key: string): Promise<void> => {
      const body = JSON.stringify({ channel: 'shopify-uk', lines: [{ sku: 'GABA-BLACK', quantity: 1 }] })
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) retries++
        const sentBeforeKill = !killed
        inFlight++
        const res = await fetch(`${server!.url}/api/orders`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', 'idempotency-key': key },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        })
          .catch(() => undefined)
          .finally(() => inFlight--)
        if (res?.status === 201) {
          const order = (await res.json()) as { id: string }
          acks.push({
            key,
            id: order.id,
            replayed: res.headers.get('idempotent-replayed') === 'true',
            beforeKill: sentBeforeKill && !killed,
          })
          return
        }
        failedAttempts++
        if (res && res.status < 500) {
          // A refusal is an answer, not a lost request: the retry was not recognized as one.
          refusals.push(`${key}: ${res.status} ${await res.text()}`)
          return
        }
        await res?.body?.cancel()
        if (Date.now() > retryDeadline) throw new Error(`${key} was never acknowledged`)
        await sleep(250)
      }
    }

    const client = async (n: number) => {
      // New orders only until the kill; then each client finishes the one it was sending.
      for (let i = 0; !killed; i++) await book(`crash-${n}-${i}-${port}`)
    }
    const clients = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)))
    // Awaited below; if the test fails first, its rejection must not surface later.
    clients.catch(() => {})
    let inFlightAtKill = 0
    let ackedAtKill = 0
    let restartMs = 0
    try {
      const killBy = Date.now() + 60_000
      while (acks.length < ACKS_BEFORE_KILL && Date.now() < killBy) await sleep(20)
      expect(acks.length, 'orders acknowledged before the kill').toBeGreaterThanOrEqual(ACKS_BEFORE_KILL)
      killed = true
      retryDeadline = Date.now() + RETRY_WINDOW_MS
      inFlightAtKill = inFlight
      ackedAtKill = acks.length
      await server.kill()
      started = Date.now()
      server = await startAppProcess(env, port)
      restartMs = Date.now() - started
      await clients
    } finally {
      // Whatever happened, the clients stop (at once if the test failed before they were done).
      killed = true
      retryDeadline = Math.min(retryDeadline, Date.now())
    }
    expect(refusals).toEqual([])
    // The kill landed mid-intake: requests were in flight, got no answer and were sent again.
    expect(inFlightAtKill).toBeGreaterThan(0)
    expect(retries).toBeGreaterThan(0)

    // Stop the server cleanly and read what is stored.
    server.child.kill('SIGTERM')
    expect(await Promise.race([server.exited, sleep(30_000).then(() => 'timeout')])).toBe(0)
    server = undefined
    const ctx = await database.open({ start: false })
    try {
      const orders = await ctx.db.selectFrom('orders').select('id').execute()
      const keys = await ctx.db
        .selectFrom('idempotency_keys')
        .select(['key', 'response'])
        .where('scope', '=', 'orders')
        .execute()
      const ackedKeys = new Set(acks.map((a) => a.key))
      expect(ackedKeys.size, 'each key acknowledged once').toBe(acks.length)
      const stored = new Set(orders.map((o) => o.id))
      const lost = acks.filter((a) => !stored.has(a.id))
      expect(lost, 'acknowledged orders missing after the kill').toEqual([])
      // Exactly once: as many orders as keys acknowledged, and each key answers with its one order.
      expect(orders.length).toBe(ackedKeys.size)
      const storedAnswer = new Map(keys.map((k) => [k.key, (k.response as { id: string }).id]))
      expect(acks.filter((a) => storedAnswer.get(a.key) !== a.id)).toEqual([])
      expect(keys.length).toBe(ackedKeys.size)
      const replayed = acks.filter((a) => a.replayed).length
      process.stdout.write(
        `crash: ${acks.length} orders acknowledged (${ackedAtKill} before the kill, ${inFlightAtKill} requests in flight at it), ${failedAttempts} attempts unanswered, ${replayed} answered by replay, ${lost.length} lost; start ${firstStartMs} ms, restart ${restartMs} ms\n`,
      )
    } finally {
      await closeContext(ctx)
    }
  })
})
