/**
 * Business benchmark on PostgreSQL: the KPI overview against the naive aggregate over raw orders
 * at two data sizes, and order intake through the API. Loopback only; bounded in time; drops the
 * databases it created unless told to keep them.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/business.ts [options]
 *
 *   --small-scale <n>     demo scale of the small database (default 5: about 220k orders)
 *   --large-scale <n>     demo scale of the large database (default 45: about 2M orders)
 *   --duration <s>        seconds per measured run, after a 3 s warm-up (default 10)
 *   --clients <n>         concurrent clients for the overview and the naive query (default 20)
 *   --intake-clients <n>  concurrent clients posting orders (default 50)
 *   --intake-only         measure only order intake, on the small database (for working on intake)
 *   --cpu-prof <dir>      write a V8 CPU profile of the app into <dir> (open it in Chrome's DevTools)
 *   --keep                keep the seeded databases, and reuse them on the next run
 *   --tsx                 run the app through tsx instead of what `npm start` runs
 *   --json                print the result as JSON
 *
 * DATABASE_URL names the server (and a database to connect to for CREATE DATABASE); the bench
 * works in databases of its own, `sentia_bench_scale_<n>`. See bench/README.md.
 */
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import {
  appCommand,
  gitState,
  loadClient,
  processCpuSeconds,
  quantile,
  ROOT,
  runBench,
  spawnApp,
} from './lib.ts'

const SELF = new URL(import.meta.url).pathname
const WARMUP_MS = 3000
const READY_TIMEOUT_MS = 120_000
const GOALS = { overviewVsNaive: 1 / 50, growth: 1.5, intakePerSecond: 1000 }
/** A hard ceiling on the whole run (seeding 2M orders takes minutes): then everything is killed. */
const BUDGET_MS = 60 * 60_000

const { values: args } = parseArgs({
  options: {
    'small-scale': { type: 'string', default: '5' },
    'large-scale': { type: 'string', default: '45' },
    duration: { type: 'string', default: '10' },
    clients: { type: 'string', default: '20' },
    'intake-clients': { type: 'string', default: '50' },
    'intake-only': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    keep: { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

interface Latencies {
  requests: number
  errors: number
  perSecond: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
}

interface SizeResult {
  scale: number
  orders: number
  seedSeconds: number | null
  overview: Latencies
  naive: Latencies
}

const log = (message: string) => {
  if (!args.json) console.error(message)
}

function positive(name: string, raw: string | undefined): number {
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1`)
  return n
}

/** Runs `task` from `clients` concurrent loops for `durationMs` (after a warm-up) and summarises the latencies. */
async function closedLoop(
  clients: number,
  durationMs: number,
  task: () => Promise<boolean>,
): Promise<Latencies> {
  const run = async (ms: number) => {
    const latencies: number[] = []
    let errors = 0
    const until = performance.now() + ms
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          const started = performance.now()
          const ok = await task().catch(() => false)
          if (ok) latencies.push(performance.now() - started)
          else errors++
        }
      }),
    )
    return { latencies, errors }
  }
  await run(WARMUP_MS)
  const started = performance.now()
  const { latencies, errors } = await run(durationMs)
  const seconds = (performance.now() - started) / 1000
  const ms = (q: number) => Math.round(quantile(latencies, q) * 10) / 10
  return {
    requests: latencies.length,
    errors,
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: ms(0.5),
    p95Ms: ms(0.95),
    p99Ms: ms(0.99),
  }
}

/**
 * What the overview's sales figures cost without rollups: revenue and orders today, over 7 and 30
 * days and the periods before, units and gross margin over 30 days, straight from orders and lines.
 */
const NAIVE_SQL = `
  with counted as (
    select placed_at, total_base from orders
    where status not in ('cancelled', 'refunded') and placed_at >= now() - interval '60 days'
  ), bounds as (select date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' as midnight)
  select
    sum(total_base) filter (where placed_at >= midnight) as today,
    count(*) filter (where placed_at >= midnight) as today_orders,
    sum(total_base) filter (where placed_at >= midnight - (now() - midnight) and placed_at < midnight) as before_today,
    sum(total_base) filter (where placed_at >= now() - interval '7 days') as d7,
    count(*) filter (where placed_at >= now() - interval '7 days') as d7_orders,
    sum(total_base) filter (where placed_at >= now() - interval '14 days' and placed_at < now() - interval '7 days') as before_d7,
    sum(total_base) filter (where placed_at >= now() - interval '30 days') as d30,
    count(*) filter (where placed_at >= now() - interval '30 days') as d30_orders,
    sum(total_base) filter (where placed_at < now() - interval '30 days') as before_d30,
    (select row(sum(l.quantity), sum(round(l.quantity * l.unit_price * o.fx_rate, 2)), sum(round(l.quantity * l.unit_cost, 2)))
       from orders o join order_lines l on l.order_id = o.id
       where o.status not in ('cancelled', 'refunded') and o.placed_at >= now() - interval '30 days') as lines30
  from counted, bounds`

function databaseUrl(base: string, database: string): string {
  const url = new URL(base)
  url.pathname = `/${database}`
  return url.toString()
}

async function admin(base: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: base })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

async function orderCount(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url })
  try {
    await client.connect()
    const { rows } = await client.query<{ n: string }>('select count(*) as n from orders')
    return Number(rows[0]?.n ?? 0)
  } catch {
    return 0 // no such database or no tables yet
  } finally {
    await client.end().catch(() => {})
  }
}

const cli = (url: string, cliArgs: string[]) =>
  promisify(execFile)(process.execPath, ['bin/sentia.js', ...cliArgs], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, DEMO_DATA: 'false', LOG_LEVEL: 'warn', REDIS_URL: '' },
    maxBuffer: 16 * 1024 * 1024,
    timeout: BUDGET_MS,
  })

/** A database holding the demo business at `scale`: reused when --keep left one with orders. */
async function seededDatabase(
  base: string,
  scale: number,
): Promise<{ url: string; seedSeconds: number | null }> {
  const name = `sentia_bench_scale_${scale}`
  const url = databaseUrl(base, name)
  if (args.keep && (await orderCount(url)) > 0) {
    log(`${name}: reusing the seeded database`)
    return { url, seedSeconds: null }
  }
  await admin(base, [`drop database if exists ${name} with (force)`, `create database ${name}`])
  log(`${name}: seeding the demo business at scale ${scale}…`)
  const started = performance.now()
  await cli(url, ['db:seed', '--demo', '--scale', String(scale), '--json'])
  await admin(url, ['vacuum analyze'])
  return { url, seedSeconds: Math.round((performance.now() - started) / 1000) }
}

interface RunningApp {
  base: string
  key: string
  pid: number | undefined
  stop(): Promise<void>
}

async function startApp(url: string, command: string[]): Promise<RunningApp> {
  const { stdout } = await cli(url, [
    'apikey:create',
    '--name',
    `bench-${Date.now()}`,
    '--role',
    'operator',
    '--json',
  ])
  const key = (JSON.parse(stdout) as { key: string }).key
  const profile = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : []
  const app = await spawnApp(
    [...profile, ...command],
    {
      DATABASE_URL: url,
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      // One machine client posting as fast as it can: the per-key limit is not under test here.
      RATE_LIMIT_PER_MINUTE: '1000000',
    },
    READY_TIMEOUT_MS,
  )
  return {
    ...app,
    key,
    stop: async () => {
      await app.stop()
    },
  }
}

async function measureSize(base: string, scale: number, command: string[], clients: number, ms: number) {
  const { url, seedSeconds } = await seededDatabase(base, scale)
  const orders = await orderCount(url)
  const app = await startApp(url, command)
  try {
    const headers = { authorization: `Bearer ${app.key}` }
    log(`scale ${scale} (${orders} orders): GET /api/kpis/overview, ${clients} clients…`)
    const overview = await closedLoop(clients, ms, async () => {
      const response = await fetch(`${app.base}/api/kpis/overview`, { headers })
      await response.arrayBuffer()
      return response.status === 200
    })
    log(`scale ${scale}: naive aggregate over raw orders, ${clients} clients…`)
    const pool = new pg.Pool({ connectionString: url, max: clients })
    try {
      const naive = await closedLoop(clients, ms, async () => {
        await pool.query(NAIVE_SQL)
        return true
      })
      return { app, url, result: { scale, orders, seedSeconds, overview, naive } satisfies SizeResult }
    } finally {
      await pool.end()
    }
  } catch (error) {
    await app.stop()
    throw error
  }
}

async function measureIntake(app: RunningApp, url: string, clients: number, ms: number) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const { rows: skus } = await client.query<{ sku: string }>(
    "select sku from products where kind = 'finished' and active order by sku",
  )
  const { rows: channels } = await client.query<{ code: string }>('select code from channels order by code')
  await client.end()
  const before = await orderCount(url)
  let sent = 0
  log(`intake: POST /api/orders, ${clients} clients…`)
  const http = loadClient(app.base, clients)
  const cpuBefore = processCpuSeconds(app.pid)
  const result = await closedLoop(clients, ms, async () => {
    const n = sent++
    const response = await http.request(
      'POST',
      '/api/orders',
      {
        authorization: `Bearer ${app.key}`,
        'content-type': 'application/json',
        'idempotency-key': `bench-${process.pid}-${n}`,
      },
      JSON.stringify({
        channel: channels[n % channels.length]!.code,
        lines: [{ sku: skus[n % skus.length]!.sku, quantity: 1 + (n % 3) }],
      }),
    )
    return response.status === 201
  })
  http.close()
  const cpu = processCpuSeconds(app.pid)
  const appCpuMsPerOrder =
    cpu === null || cpuBefore === null ? null : Math.round(((cpu - cpuBefore) * 1e5) / sent) / 100
  const stored = (await orderCount(url)) - before
  return { ...result, stored, appCpuMsPerOrder }
}

async function intakeOnly(base: string, scale: number, command: string[], clients: number, ms: number) {
  const { url } = await seededDatabase(base, scale)
  const app = await startApp(url, command)
  try {
    const intake = await measureIntake(app, url, clients, ms)
    if (args.json) console.log(JSON.stringify({ date: new Date().toISOString(), app: gitState(), intake }))
    else
      console.log(
        `intake at ${await orderCount(url)} orders: ${intake.perSecond} orders/s, p95 ${intake.p95Ms} ms, errors ${intake.errors}, stored ${intake.stored} for ${intake.requests} accepted, app CPU ${intake.appCpuMsPerOrder} ms an order`,
      )
    return 0
  } finally {
    await app.stop()
    if (!args.keep) await admin(base, [`drop database if exists sentia_bench_scale_${scale} with (force)`])
  }
}

async function main(): Promise<number> {
  const base = process.env.DATABASE_URL
  if (!base?.startsWith('postgres')) {
    console.error(
      'bench/business.ts runs on PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    )
    return 1
  }
  const small = positive('--small-scale', args['small-scale'])
  const large = positive('--large-scale', args['large-scale'])
  const ms = positive('--duration', args.duration) * 1000
  const clients = positive('--clients', args.clients)
  const intakeClients = positive('--intake-clients', args['intake-clients'])
  const command = appCommand(args.tsx)
  if (args['intake-only']) return intakeOnly(base, small, command, intakeClients, ms)
  const sizes: SizeResult[] = []
  let intake: Awaited<ReturnType<typeof measureIntake>> | undefined
  try {
    for (const scale of [small, large]) {
      const { app, url, result } = await measureSize(base, scale, command, clients, ms)
      try {
        sizes.push(result)
        if (scale === large) intake = await measureIntake(app, url, intakeClients, ms)
      } finally {
        await app.stop()
      }
    }
  } finally {
    if (!args.keep)
      await admin(
        base,
        [small, large].map((s) => `drop database if exists sentia_bench_scale_${s} with (force)`),
      )
  }
  const [s, l] = sizes as [SizeResult, SizeResult]
  const goals = [
    {
      goal: `overview p95 ≤ 1/50 of the naive aggregate's (at ${l.orders} orders)`,
      measured: `1/${Math.round(l.naive.p95Ms / l.overview.p95Ms)}`,
      met: l.overview.p95Ms <= l.naive.p95Ms * GOALS.overviewVsNaive,
    },
    {
      goal: `overview p95 grows ≤ ${GOALS.growth}× from ${s.orders} to ${l.orders} orders`,
      measured: `${(l.overview.p95Ms / s.overview.p95Ms).toFixed(2)}×`,
      met: l.overview.p95Ms <= s.overview.p95Ms * GOALS.growth,
    },
    {
      goal: `order intake ≥ ${GOALS.intakePerSecond}/s with ${intakeClients} clients`,
      measured: `${intake?.perSecond}/s`,
      met: (intake?.perSecond ?? 0) >= GOALS.intakePerSecond,
    },
  ]
  const report = {
    date: new Date().toISOString(),
    app: gitState(),
    clients,
    intakeClients,
    sizes,
    intake,
    goals,
  }
  if (args.json) console.log(JSON.stringify(report, null, 2))
  else {
    for (const size of sizes)
      for (const [name, l] of [
        ['overview', size.overview],
        ['naive', size.naive],
      ] as const)
        console.log(
          `${String(size.orders).padStart(8)} orders  ${name.padEnd(8)}  p50 ${l.p50Ms} ms  p95 ${l.p95Ms} ms  p99 ${l.p99Ms} ms  ${l.perSecond}/s  errors ${l.errors}`,
        )
    if (intake)
      console.log(
        `intake: ${intake.perSecond} orders/s, p95 ${intake.p95Ms} ms, errors ${intake.errors}, stored ${intake.stored} for ${intake.requests} accepted, app CPU ${intake.appCpuMsPerOrder} ms an order`,
      )
    for (const goal of goals) console.log(`${goal.met ? 'MET ' : 'MISS'}  ${goal.goal}: ${goal.measured}`)
  }
  return 0
}

if (args.help) console.log(readFileSync(SELF, 'utf8').split('*/')[0])
else runBench(main, BUDGET_MS)
