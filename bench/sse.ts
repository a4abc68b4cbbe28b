/**
 * SSE fan-out and memory under load: N clients (default 1,000) hold `GET /api/events` open; the
 * bench books orders and measures, for each client, the time from the POST's start to the
 * `order.created` event's arrival. Goal: all N receive it within 1 s. Meanwhile it samples the
 * app's RSS (/proc/<pid>/status): idle, peak while the clients are connected and autocannon
 * loads a database-backed route, and some seconds after the load. Loopback only; bounded in time
 * (watchdog); removes what it made.
 *
 *   npx tsx bench/sse.ts [options]
 *
 *   --clients <n>       concurrent SSE clients (default 1000)
 *   --events <n>        orders booked one after the other, each measured (default 5)
 *   --load-seconds <s>  autocannon against GET /api/orders with the clients connected (default 10)
 *   --connections <n>   autocannon connections (default 20)
 *   --idle-wait <s>     seconds between ready and the idle RSS reading (default 5)
 *   --after-wait <s>    seconds between the end of the load and the last RSS reading (default 10)
 *   --days <n>          days of demo business seeded before the start (default 365, the demo year)
 *   --tsx               run the app through tsx instead of what `npm start` runs
 *   --json              print the result as JSON
 *
 * With DATABASE_URL the bench works in its own database `sentia_bench_sse` on that server
 * (created and dropped through the URL's database); without, on the embedded engine in a
 * temporary DATA_DIR. The app gets `RATE_LIMIT_PER_MINUTE=1000000` (one API key drives the load;
 * the stream itself is exempt from rate limits and the app caps no connections per client).
 * See bench/README.md.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import autocannon from 'autocannon'
import pg from 'pg'
import { appCommand, gitState, quantile, ROOT, runBench, sleep, spawnApp, within } from './lib.ts'

const GOAL_MS = 1000
const BUDGET_MS = 15 * 60_000
const READY_TIMEOUT_MS = 180_000
/** How long one event may take to reach every client before the rest count as not received. */
const EVENT_DEADLINE_MS = 10_000
/** Connections opened at once: the server's accept backlog (511) must not overflow. */
const CONNECT_WAVE = 100
const DATABASE = 'sentia_bench_sse'
const MB = 1024 * 1024
const SELF = new URL(import.meta.url).pathname

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    events: { type: 'string', default: '5' },
    'load-seconds': { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    'idle-wait': { type: 'string', default: '5' },
    'after-wait': { type: 'string', default: '10' },
    days: { type: 'string', default: '365' },
    tsx: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

const log = (message: string) => {
  if (!args.json) console.error(`[sse] ${message}`)
}

function whole(name: string, raw: string | undefined, min = 1): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number ≥ ${min}`)
  return n
}

/** VmRSS and VmHWM of a process, in bytes (Linux). */
function rss(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') }
}

/** Samples RSS every 100 ms until stopped: the peak of a load is shorter than any single reading. */
function rssSampler(pid: number) {
  let peak = 0
  let samples = 0
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rss(pid).rss)
      samples++
    } catch {
      // the app exited; the run fails elsewhere
    }
  }, 100)
  return {
    stop: () => {
      clearInterval(timer)
      return { peak, samples }
    },
  }
}

/** Where the app keeps its data: a scratch PostgreSQL database, or a temporary DATA_DIR. */
async function storage(): Promise<{ env: Record<string, string>; engine: string; remove(): Promise<void> }> {
  const base = process.env.DATABASE_URL
  if (base) {
    const admin = async (statement: string) => {
      const client = new pg.Client({ connectionString: base })
      await client.connect()
      try {
        await client.query(statement)
      } finally {
        await client.end()
      }
    }
    // A fixed name: a run killed before its cleanup leaves nothing the next run does not drop.
    await admin(`drop database if exists ${DATABASE} with (force)`)
    await admin(`create database ${DATABASE}`)
    const url = new URL(base)
    url.pathname = `/${DATABASE}`
    return {
      env: { DATABASE_URL: url.toString() },
      engine: 'postgres',
      remove: () => admin(`drop database if exists ${DATABASE} with (force)`),
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-bench-sse-'))
  return {
    env: { DATA_DIR: dir, DATABASE_URL: '' },
    engine: 'pglite',
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** One SSE client's stream, split into frames; `onEvent` gets each order.created with its arrival time. */
interface SseClient {
  closed: boolean
  close(): void
}

function openClient(
  base: URL,
  agent: http.Agent,
  key: string,
  onEvent: (orderId: string, at: string, arrived: number) => void,
): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      {
        agent,
        hostname: base.hostname,
        port: base.port,
        path: '/api/events',
        headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' },
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume()
          reject(new Error(`GET /api/events answered ${response.statusCode}`))
          return
        }
        const client: SseClient = { closed: false, close: () => request.destroy() }
        let buffer = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => {
          const arrived = performance.now()
          buffer += chunk
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end)
            buffer = buffer.slice(end + 2)
            if (!frame.includes('event: order.created')) continue
            const data = frame.split('\n').find((line) => line.startsWith('data: '))
            if (!data) continue
            const event = JSON.parse(data.slice(6)) as { id?: string; at?: string }
            if (event.id) onEvent(event.id, event.at ?? '', arrived)
          }
        })
        response.on('close', () => {
          client.closed = true
        })
        resolve(client)
      },
    )
    request.on('error', reject)
    request.setTimeout(30_000, () => request.destroy(new Error('no answer from GET /api/events in 30 s')))
  })
}

interface Latency {
  /** The first client's: what the server and the loopback add before any client-side queueing. */
  minMs: number
  p50Ms: number
  p95Ms: number
  maxMs: number
}

const latency = (values: number[]): Latency => {
  const round = (v: number) => Math.round(v * 10) / 10
  return {
    minMs: round(values.length ? Math.min(...values) : Number.NaN),
    p50Ms: round(quantile(values, 0.5)),
    p95Ms: round(quantile(values, 0.95)),
    maxMs: round(values.length ? Math.max(...values) : Number.NaN),
  }
}

interface EventResult extends Latency {
  orderId: string
  postMs: number
  received: number
  withinGoal: number
  /** From the event's own `at` (the server's clock when it published, after the commit) to arrival. */
  fromPublish: Latency
}

/** A channel and a finished product priced in that channel's market, so the order is accepted. */
async function orderTarget(base: string, headers: Record<string, string>) {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${base}${path}`, { headers })
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`)
    return (await response.json()) as T
  }
  const channels = await get<{ items: { code: string; marketCode: string }[] }>('/api/channels')
  const products = await get<{ items: { sku: string; prices: { marketCode: string }[] }[] }>(
    '/api/products?kind=finished&active=true&limit=500',
  )
  for (const channel of channels.items)
    for (const product of products.items)
      if (product.prices.some((price) => price.marketCode === channel.marketCode))
        return { channel: channel.code, sku: product.sku }
  throw new Error('no channel with a finished product priced in its market')
}

async function main(): Promise<number> {
  const clients = whole('--clients', args.clients)
  const events = whole('--events', args.events)
  const loadSeconds = whole('--load-seconds', args['load-seconds'])
  const connections = whole('--connections', args.connections)
  const idleWaitMs = whole('--idle-wait', args['idle-wait'], 0) * 1000
  const afterWaitMs = whole('--after-wait', args['after-wait'], 0) * 1000
  const days = whole('--days', args.days)
  const command = appCommand(args.tsx)

  const store = await storage()
  onSignalRemove = store.remove
  const baseEnv = {
    ...store.env,
    REDIS_URL: process.env.REDIS_URL ?? '',
    DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
  }
  const cli = (cliArgs: string[]) =>
    promisify(execFile)(process.execPath, ['bin/sentia.js', ...cliArgs, '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...baseEnv },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 10 * 60_000,
    })
  const agent = new http.Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY })
  const open: SseClient[] = []
  let app: Awaited<ReturnType<typeof spawnApp>> | undefined
  onSignalStop = async () => {
    await app?.stop()
  }
  try {
    log(`seeding ${days} days of the demo business…`)
    const seedStarted = performance.now()
    const seed = JSON.parse((await cli(['db:seed', '--demo', '--days', String(days)])).stdout) as {
      orders: number
    }
    const seedMs = Math.round(performance.now() - seedStarted)
    const key = (
      JSON.parse((await cli(['apikey:create', '--name', 'bench-sse', '--role', 'operator'])).stdout) as {
        key: string
      }
    ).key

    const startedAt = performance.now()
    app = await spawnApp(command, { ...baseEnv, RATE_LIMIT_PER_MINUTE: '1000000' }, READY_TIMEOUT_MS)
    const readyMs = Math.round(performance.now() - startedAt)
    const pid = app.pid!
    const headers = { authorization: `Bearer ${key}` }
    const target = await orderTarget(app.base, headers)
    log(`ready after ${readyMs} ms; idle for ${idleWaitMs / 1000} s`)
    await sleep(idleWaitMs)
    const idle = rss(pid)
    const sampler = rssSampler(pid)

    // Arrival times per order id: the event may arrive before the POST's answer does.
    const arrivals = new Map<string, { times: number[]; publishedAt: number }>()
    const onEvent = (orderId: string, at: string, arrived: number) => {
      let entry = arrivals.get(orderId)
      if (!entry) {
        entry = { times: [], publishedAt: Date.parse(at) }
        arrivals.set(orderId, entry)
      }
      entry.times.push(arrived)
    }

    log(`opening ${clients} SSE clients…`)
    const connectStarted = performance.now()
    const base = new URL(app.base)
    for (let i = 0; i < clients; i += CONNECT_WAVE) {
      const wave = Array.from({ length: Math.min(CONNECT_WAVE, clients - i) }, () =>
        openClient(base, agent, key, onEvent),
      )
      open.push(...(await Promise.all(wave)))
    }
    const connectMs = Math.round(performance.now() - connectStarted)
    await sleep(500) // every stream has registered its listener

    const fanOut: EventResult[] = []
    for (let n = 1; n <= events; n++) {
      const posted = performance.now()
      const response = await fetch(`${app.base}/api/orders`, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'idempotency-key': `bench-sse-${process.pid}-${n}`,
        },
        body: JSON.stringify({ channel: target.channel, lines: [{ sku: target.sku, quantity: 1 }] }),
      })
      const postMs = Math.round((performance.now() - posted) * 10) / 10
      if (response.status !== 201)
        throw new Error(`POST /api/orders: ${response.status} ${await response.text()}`)
      const orderId = ((await response.json()) as { id: string }).id
      const deadline = posted + EVENT_DEADLINE_MS
      while ((arrivals.get(orderId)?.times.length ?? 0) < clients && performance.now() < deadline)
        await sleep(20)
      const entry = arrivals.get(orderId) ?? { times: [], publishedAt: Number.NaN }
      const fromPost = entry.times.map((t) => t - posted)
      // performance.now() + timeOrigin is this process's wall clock, the one the app's `at` uses.
      const fromPublish = entry.times.map((t) => performance.timeOrigin + t - entry.publishedAt)
      const result: EventResult = {
        orderId,
        postMs,
        received: entry.times.length,
        withinGoal: fromPost.filter((ms) => ms <= GOAL_MS).length,
        ...latency(fromPost),
        fromPublish: latency(fromPublish),
      }
      fanOut.push(result)
      log(
        `event ${n}: ${result.received}/${clients} received, ${result.withinGoal} within ${GOAL_MS} ms, ` +
          `p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms`,
      )
      await sleep(1000)
    }
    // The worst event: fewest clients in time, then the slowest p95.
    const worst = [...fanOut].sort((a, b) => a.withinGoal - b.withinGoal || b.p95Ms - a.p95Ms)[0]!

    log(`autocannon GET /api/orders?limit=20, ${connections} connections, ${loadSeconds} s…`)
    const loadResult = await autocannon({
      url: `${app.base}/api/orders?limit=20`,
      headers,
      connections,
      duration: loadSeconds,
    })
    const stillOpen = open.filter((client) => !client.closed).length
    const peak = sampler.stop()
    const atPeak = rss(pid)
    for (const client of open) client.close()
    open.length = 0
    log(`clients closed; RSS again in ${afterWaitMs / 1000} s`)
    await sleep(afterWaitMs)
    const after = rss(pid)

    const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10
    const report = {
      date: new Date().toISOString(),
      app: gitState(),
      engine: store.engine,
      command: ['node', ...command].join(' '),
      clients,
      goalMs: GOAL_MS,
      seed: { days, orders: seed.orders, ms: seedMs },
      readyMs,
      connect: { ms: connectMs, stillOpenAfterLoad: stillOpen },
      fanOut: { events: fanOut, worst },
      load: {
        route: 'GET /api/orders?limit=20',
        connections,
        seconds: loadSeconds,
        requestsPerSecond: loadResult.requests.average,
        p99Ms: loadResult.latency.p99,
        non2xx: loadResult.non2xx,
        errors: loadResult.errors,
      },
      memory: {
        idleRssMb: mb(idle.rss),
        peakRssUnderLoadMb: mb(Math.max(peak.peak, atPeak.rss)),
        hwmMb: mb(atPeak.hwm),
        afterLoadRssMb: mb(after.rss),
        afterWaitSeconds: afterWaitMs / 1000,
        samples: peak.samples,
      },
      goals: [
        {
          goal: `all ${clients} clients receive the event within ${GOAL_MS} ms (worst of ${events} events)`,
          measured: `${worst.withinGoal} of ${clients} (p95 ${worst.p95Ms} ms)`,
          met: worst.withinGoal === clients,
        },
      ],
    }
    if (args.json) console.log(JSON.stringify(report, null, 2))
    else {
      const m = report.memory
      console.log(
        `engine ${report.engine}; ${seed.orders} orders seeded; ${clients} clients connected in ${connectMs} ms`,
      )
      for (const [i, e] of fanOut.entries())
        console.log(
          `event ${i + 1}: ${e.received} received, ${e.withinGoal} within ${GOAL_MS} ms; from the POST p50 ${e.p50Ms} / p95 ${e.p95Ms} / max ${e.maxMs} ms; from publish p95 ${e.fromPublish.p95Ms} ms`,
        )
      console.log(
        `load: ${Math.round(report.load.requestsPerSecond)} req/s, p99 ${report.load.p99Ms} ms, non-2xx ${report.load.non2xx}, errors ${report.load.errors}`,
      )
      console.log(
        `RSS: idle ${m.idleRssMb} MB, peak under load ${m.peakRssUnderLoadMb} MB, ${m.afterWaitSeconds} s after ${m.afterLoadRssMb} MB (VmHWM ${m.hwmMb} MB)`,
      )
      for (const goal of report.goals)
        console.log(`${goal.met ? 'MET ' : 'MISS'}  ${goal.goal}: ${goal.measured}`)
    }
    return 0
  } finally {
    for (const client of open) client.close()
    agent.destroy()
    await app?.stop()
    await store.remove().catch((error) => console.error('could not remove the bench data:', error))
  }
}

/**
 * Ctrl-C, or the suite stopping this bench (SIGTERM to its process group): stop the app, then
 * remove the scratch database or DATA_DIR, which the `finally` above never reaches on a signal.
 */
let onSignalStop: () => Promise<unknown> = async () => {}
let onSignalRemove: () => Promise<void> = async () => {}
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`[sse] ${signal}: stopping the app and removing the bench data`)
    const cleanup = onSignalStop()
      .catch(() => {})
      .then(() => onSignalRemove())
      .catch(() => {})
    void within(12_000, cleanup, undefined).finally(() => process.exit(130))
  })

if (args.help) console.log(readFileSync(SELF, 'utf8').split('*/')[0])
else runBench(main, BUDGET_MS)
