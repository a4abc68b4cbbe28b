import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../server/config.ts'
import { closeContext, createContext } from '../server/context.ts'
import { createApiKey } from '../server/modules/apikeys/service.ts'
import { createUser } from '../server/modules/auth/users.ts'
import { insertCatalogAndRates } from './business.ts'
import { startWebhookReceiver, type WebhookReceiver } from './fakes/webhook-receiver.ts'
import { type RedisServer, type Replica, startRedisServer, startReplica, waitFor } from './replica-cluster.ts'
import { type EventStream, openEventStream } from './sse-client.ts'
import { adminQuery, databaseUrlFor, silentLogger } from './template.ts'

/**
 * Several replicas (issue "Several replicas"): three `sentia serve` processes on their own
 * loopback ports share one PostgreSQL database and one Redis, as replicas behind a load balancer
 * do. The database is a fresh one on the suite's server and the Redis a private redis-server, so
 * nothing here (pub/sub, blocks, rate-limit counters) reaches the other test files.
 */

const RATE_LIMIT = 20
const EMAIL = 'replica-admin@example.com'
const PASSWORD = 'a long password for three replicas'
const HOOK_SECRET = 'replica-hook-secret-0123456789'
/** Addresses from TEST-NET-3, carried in X-Forwarded-For (the replicas trust 127.0.0.1 as a proxy). */
const BLOCKED_IP = '203.0.113.7'
const OTHER_IP = '203.0.113.8'

/** waitFor on a row read from the database, naming the last row seen when it times out. */
async function waitForRow<T>(
  what: string,
  read: () => Promise<T | undefined>,
  done: (row: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  let last: T | undefined
  try {
    return await waitFor(
      what,
      async () => {
        last = await read()
        return last !== undefined && done(last) ? last : undefined
      },
      timeoutMs,
      500,
    )
  } catch (error) {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last) ?? 'nothing'}`)
  }
}

/** Replicas need a PostgreSQL server: in the embedded suite (no DATABASE_URL) this file is skipped. */
const describeOnPostgres = describe.runIf(Boolean(process.env.DATABASE_URL))

describeOnPostgres('three replicas on one PostgreSQL and one Redis (PostgreSQL suite only)', () => {
  const database = `sentia_replicas_${randomBytes(4).toString('hex')}`
  let databaseUrl: string
  let work: string | undefined
  let created = false
  let redis: RedisServer | undefined
  let receiver: WebhookReceiver | undefined
  let pool: pg.Pool | undefined
  let replicas: Replica[] = []
  let admin: { authorization: string }
  let limited: { authorization: string }
  let ruleId: string

  const a = () => replicas[0]!
  const b = () => replicas[1]!
  const c = () => replicas[2]!
  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await pool!.query<T>(text, values)).rows
  const call = (replica: Replica, method: string, url: string, body?: unknown, headers = admin) =>
    fetch(`${replica.url}${url}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    })

  /** Migrations, the job queue's schema, a catalog, an admin and two API keys, before any replica. */
  async function prepareDatabase(): Promise<void> {
    databaseUrl = databaseUrlFor(process.env.DATABASE_URL!, database)
    await adminQuery(process.env.DATABASE_URL!, [`CREATE DATABASE ${database}`])
    created = true
    const config = loadConfig({ DATABASE_URL: databaseUrl, DATA_DIR: work!, LOG_LEVEL: 'silent' })
    const ctx = await createContext({ config, logger: silentLogger, role: 'worker' })
    try {
      await ctx.jobs.start({ work: false, schedule: false }, () => ctx)
      await ctx.jobs.stop(1000)
      await insertCatalogAndRates(ctx)
      const system = { type: 'system', id: 'replicas-test' } as const
      await createUser(
        ctx,
        { email: EMAIL, name: 'Replica Admin', role: 'admin', password: PASSWORD },
        system,
      )
      const adminKey = await createApiKey(ctx, { name: 'replicas admin', role: 'admin' }, system)
      const limitedKey = await createApiKey(ctx, { name: 'replicas rate limit', role: 'viewer' }, system)
      admin = { authorization: `Bearer ${adminKey.key}` }
      limited = { authorization: `Bearer ${limitedKey.key}` }
    } finally {
      await closeContext(ctx, 5000)
    }
  }

  /** A webhook channel, a two-step policy for `low` and a rule that breaches at once. */
  async function startAnAlert(): Promise<void> {
    receiver = await startWebhookReceiver({ secret: HOOK_SECRET })
    const channel = await call(a(), 'POST', '/api/notifications/channels', {
      name: 'replica-hook',
      kind: 'webhook',
      destination: `${receiver.url}/hook`,
      secret: HOOK_SECRET,
    })
    expect(channel.status, await channel.clone().text()).toBe(201)
    const policy = await call(b(), 'PUT', '/api/escalation-policies/low', {
      steps: [
        { afterMinutes: 0, notify: ['channel:replica-hook'] },
        { afterMinutes: 1, notify: ['channel:replica-hook'] },
      ],
    })
    expect(policy.status, await policy.clone().text()).toBe(200)
    const rule = await call(c(), 'POST', '/api/alert-rules', {
      name: 'Replica test: memory in use',
      metric: 'memory_percent',
      kind: 'threshold',
      params: { op: '>=', alert: 0, windowSeconds: 60, reduce: 'last' },
      severity: 'low',
      forSeconds: 0,
    })
    expect(rule.status, await rule.clone().text()).toBe(201)
    ruleId = ((await rule.json()) as { id: string }).id
  }

  function printOutput(): void {
    for (const replica of replicas)
      console.error(`--- replica ${replica.name} (${replica.url}), last lines ---\n${replica.tail()}`)
  }

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'sentia-replicas-'))
    await prepareDatabase()
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    redis = await startRedisServer(work)
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      APP_ENV: 'development',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      GIT_COMMIT: 'replicas-test',
      // Replicas must share the session secret (each would otherwise generate its own in DATA_DIR).
      SESSION_SECRETS: randomBytes(32).toString('hex'),
      // The test process is the "proxy": X-Forwarded-For from loopback names the client.
      TRUST_PROXY: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
      // A job whose runs are recorded (db_maintenance_runs), due every minute.
      DB_ANALYZE_SCHEDULE: '* * * * *',
      // Escalation work on all three, often, so they contend for it.
      ALERT_EVALUATION_SECONDS: '2',
      SAMPLER_INTERVAL_SECONDS: '5',
      NOTIFY_POLL_MS: '500',
    }
    const started = await Promise.allSettled(['a', 'b', 'c'].map((name) => startReplica(name, env, 140_000)))
    replicas = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
    try {
      await startAnAlert()
    } catch (error) {
      printOutput()
      throw error
    }
  }, 170_000)

  beforeEach(({ onTestFailed }) => onTestFailed(printOutput))

  afterAll(async () => {
    const steps: [string, () => Promise<unknown> | undefined][] = [
      ['replicas', () => Promise.all(replicas.map((r) => r.stop()))],
      ['redis', () => redis?.stop()],
      ['receiver', () => receiver?.close()],
      ['pool', () => pool?.end()],
      [
        'database',
        () =>
          created
            ? adminQuery(process.env.DATABASE_URL!, [`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`])
            : undefined,
      ],
    ]
    for (const [name, step] of steps) {
      try {
        await step()
      } catch (error) {
        console.error(`cleanup of ${name} failed:`, error)
      }
    }
    if (work) rmSync(work, { recursive: true, force: true })
  }, 60_000)

  it('delivers an order created through B to an SSE client connected to A', async () => {
    let stream: EventStream | undefined
    try {
      stream = await openEventStream(`${a().url}/api/events`, admin)
      const externalId = `replicas-${randomBytes(4).toString('hex')}`
      const response = await call(b(), 'POST', '/api/orders', {
        externalId,
        channel: 'shopify-uk',
        lines: [{ sku: 'GABA-RED', quantity: 1 }],
      })
      expect(response.status, await response.clone().text()).toBe(201)
      const order = (await response.json()) as { id: string }
      const event = await stream.next((e) => e.type === 'order.created' && e.data.id === order.id, 15_000)
      expect(event.data).toMatchObject({ id: order.id, status: 'pending' })
    } finally {
      stream?.close()
    }
  })

  it('accepts on B and C a session signed in on A, and a sign-out on B ends it on A', async () => {
    const signIn = await fetch(`${a().url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a().url },
      body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
    })
    expect(signIn.status, await signIn.clone().text()).toBe(200)
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    expect(cookie).toContain('session_token')
    for (const replica of [a(), b(), c()]) {
      const me = await fetch(`${replica.url}/api/me`, { headers: { cookie } })
      expect(me.status, `GET /api/me on ${replica.name}`).toBe(200)
      expect(await me.json()).toMatchObject({ kind: 'user', role: 'admin', label: EMAIL })
    }
    const signOut = await fetch(`${b().url}/api/auth/sign-out`, {
      method: 'POST',
      headers: { cookie, origin: b().url, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(signOut.status, await signOut.clone().text()).toBe(200)
    expect((await fetch(`${a().url}/api/me`, { headers: { cookie } })).status).toBe(401)
  })

  it('counts requests spread over A, B and C against one rate limit', async () => {
    const remaining: (string | null)[] = []
    for (let i = 0; i < RATE_LIMIT; i++) {
      const replica = replicas[i % 3]!
      const response = await call(replica, 'GET', '/api/me', undefined, limited)
      expect(response.status, `request ${i + 1} on ${replica.name}`).toBe(200)
      remaining.push(response.headers.get('x-ratelimit-remaining'))
    }
    // One counter: each answer, whichever replica gave it, has one request fewer left.
    expect(remaining).toEqual(Array.from({ length: RATE_LIMIT }, (_, i) => String(RATE_LIMIT - 1 - i)))
    for (const replica of replicas) {
      const refused = await call(replica, 'GET', '/api/me', undefined, limited)
      expect(refused.status, `over the limit on ${replica.name}`).toBe(429)
    }
  })

  it('applies an IP block made on A on B and C, and lifting it on C frees it on A and B', async () => {
    const from = (replica: Replica, ip: string) =>
      fetch(`${replica.url}/health/live`, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status)
    // The replicas take the client from X-Forwarded-For: the address is let in before the block.
    for (const replica of replicas) expect(await from(replica, BLOCKED_IP)).toBe(200)

    const block = await call(a(), 'POST', '/api/security/ip-blocks', {
      cidr: BLOCKED_IP,
      reason: 'replica test',
    })
    expect(block.status, await block.clone().text()).toBe(201)
    const { id } = (await block.json()) as { id: string }
    for (const replica of replicas) {
      await waitFor(
        `the block on ${replica.name}`,
        async () => (await from(replica, BLOCKED_IP)) === 403,
        10_000,
        100,
      )
      expect(await from(replica, OTHER_IP), `another address on ${replica.name}`).toBe(200)
    }
    const answer = await fetch(`${b().url}/health/live`, { headers: { 'x-forwarded-for': BLOCKED_IP } })
    expect(await answer.json()).toMatchObject({ error: { code: 'IP_BLOCKED' } })

    const lift = await call(c(), 'DELETE', `/api/security/ip-blocks/${id}`)
    expect(lift.status, await lift.clone().text()).toBe(200)
    for (const replica of replicas)
      await waitFor(
        `the block lifted on ${replica.name}`,
        async () => (await from(replica, BLOCKED_IP)) === 200,
        10_000,
        100,
      )
  })

  it('takes each escalation step of a firing alert once across the three replicas', async () => {
    // Every replica evaluates every 2 s. Step 1 falls due a minute after the alert fired: at that
    // moment the test also asks all three at once to evaluate (an operator's "evaluate now"), so
    // their escalation work meets on the same step.
    const firing = await waitFor(
      'the test alert firing, its first step taken',
      async () => {
        const [row] = await query<{ due_ms: string }>(
          `select (extract(epoch from a.escalation_anchor_at) * 1000 + 60000)::bigint::text as due_ms
           from alerts a where a.rule_id = $1 and a.state = 'firing'
             and exists (select 1 from alert_steps s where s.alert_id = a.id and s.step = 0)`,
          [ruleId],
        )
        return row
      },
      60_000,
      500,
    )
    const untilDue = Number(firing.due_ms) - Date.now()
    if (untilDue > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(untilDue + 20, 70_000)))
    const together = await Promise.all(replicas.map((r) => call(r, 'POST', '/api/alerts/evaluate')))
    expect(together.map((r) => r.status)).toEqual([200, 200, 200])

    const alert = await waitForRow(
      'both escalation steps of the test alert, delivered',
      async () => {
        const [row] = await query<{ id: string; steps: number; sent: number }>(
          `select a.id::text as id,
             (select count(*)::int from alert_steps s where s.alert_id = a.id) as steps,
             (select count(*)::int from notification_outbox o
               where o.idempotency_key like 'alert:' || a.id || ':step:%' and o.status = 'sent') as sent
           from alerts a where a.rule_id = $1 and a.state = 'firing'`,
          [ruleId],
        )
        return row
      },
      (row) => row.steps === 2 && row.sent === 2,
      30_000,
    )
    const notified = await query<{ step: number; n: number }>(
      `select (detail->>'step')::int as step, count(*)::int as n from alert_events
       where alert_id = $1 and kind = 'notified' group by 1 order by 1`,
      [alert.id],
    )
    expect(notified).toEqual([
      { step: 0, n: 1 },
      { step: 1, n: 1 },
    ])
    // Every other alert and incident escalated meanwhile (the built-in rules) took each step once too.
    const repeatedAlertSteps = await query(
      `select alert_id, detail->>'step' as step, count(*)::int as n from alert_events
       where kind = 'notified' group by 1, 2 having count(*) > 1`,
    )
    expect(repeatedAlertSteps).toEqual([])
    const repeatedIncidentSteps = await query(
      `select incident_id, detail->>'step' as step, count(*)::int as n from incident_events
       where kind = 'escalated' group by 1, 2 having count(*) > 1`,
    )
    expect(repeatedIncidentSteps).toEqual([])
    // The receiver got each step's message exactly once, signed.
    const received = receiver!.requests.filter((r) => r.idempotencyKey?.startsWith(`alert:${alert.id}:step:`))
    expect(received.map((r) => r.idempotencyKey!.split(':')[3]).sort()).toEqual(['0', '1'])
    expect(received.every((r) => r.signatureValid)).toBe(true)
    expect(receiver!.duplicates).toBe(0)
  })

  it('runs a job scheduled every minute exactly once per tick across the three replicas', async () => {
    // pg-boss files each cron occurrence under a one-minute slot (the send-it job's data.slot).
    // By now the replicas have been up for over a minute (the escalation test waits that long),
    // so often two ticks have passed; wait for at least one whose work is all done, then compare
    // the slots with the forwarded occurrences, the jobs and the runs recorded by the job itself.
    const settled = await waitForRow(
      'a finished tick of dbmaintenance.analyze',
      async () => {
        const [row] = await query<{
          slots: number
          forwards: number
          pending_forwards: number
          jobs: number
          unfinished_jobs: number
          runs: number
          unfinished_runs: number
          failed_runs: number
        }>(
          `select
             (select count(distinct data->>'slot')::int from pgboss.job
               where name = '__pgboss__send-it' and data->>'name' = 'dbmaintenance.analyze') as slots,
             (select count(*)::int from pgboss.job
               where name = '__pgboss__send-it' and data->>'name' = 'dbmaintenance.analyze') as forwards,
             (select count(*)::int from pgboss.job
               where name = '__pgboss__send-it' and data->>'name' = 'dbmaintenance.analyze'
                 and state in ('created', 'retry', 'active')) as pending_forwards,
             (select count(*)::int from pgboss.job where name = 'dbmaintenance.analyze') as jobs,
             (select count(*)::int from pgboss.job
               where name = 'dbmaintenance.analyze' and state in ('created', 'retry', 'active'))
               as unfinished_jobs,
             (select count(*)::int from db_maintenance_runs where job = 'dbmaintenance.analyze') as runs,
             (select count(*)::int from db_maintenance_runs
               where job = 'dbmaintenance.analyze' and finished_at is null) as unfinished_runs,
             (select count(*)::int from db_maintenance_runs
               where job = 'dbmaintenance.analyze' and outcome <> 'ok') as failed_runs`,
        )
        return row
      },
      (row) =>
        row.slots >= 1 &&
        row.pending_forwards === 0 &&
        row.unfinished_jobs === 0 &&
        row.unfinished_runs === 0,
      100_000,
    )
    expect(settled.forwards, 'one forwarded occurrence per slot').toBe(settled.slots)
    expect(settled.jobs, 'one job per slot').toBe(settled.slots)
    expect(settled.runs, 'one recorded run per slot').toBe(settled.slots)
    expect(settled.failed_runs).toBe(0)
  })
})
