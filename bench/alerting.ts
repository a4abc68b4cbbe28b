/**
 * Alerting benchmarks (issue goals), on PostgreSQL:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/alerting.ts [--trials N] [--rules N] [--json]
 *
 * 1. Breach → delivery: a running app (default intervals: sampler 10 s, evaluation 10 s) with a
 *    rule "request_rate ≥ 30 req/s over 10 s" whose escalation goes to a webhook receiver on
 *    loopback. Each trial starts load at a random moment and measures the time until the alert's
 *    message reaches the receiver, then stops the load and measures the time until "resolved"
 *    arrives. Goal: breach → delivery ≤ evaluation interval + 2 s.
 * 2. Evaluation cost: N rules (default 500; thresholds, changes, deviations, absences over the
 *    stored metrics of three replicas) evaluated in one cycle, in process. Goal: ≤ 1 s.
 *
 * Loopback only; every step has a deadline and the whole run a watchdog (runBench).
 */
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs, promisify } from 'node:util'
import pg from 'pg'
import { loadConfig } from '../server/config.ts'
import { closeContext, createContext } from '../server/context.ts'
import { evaluateAlerts } from '../server/modules/alerting/evaluate.ts'
import { createRule } from '../server/modules/alerting/rules.ts'
import { writeSamples } from '../server/modules/monitoring/store.ts'
import { createLogger } from '../server/platform/observability/logger.ts'
import { appCommand, median, quantile, ROOT, runBench, sleep, spawnApp } from './lib.ts'

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    rules: { type: 'string', default: '500' },
    tsx: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
})

const INTERVAL_S = 10
const BUDGET_MS = 20 * 60_000
const DATABASE = 'sentia_bench_alerting'
const log = (message: string) => console.error(`[alerting] ${message}`)

function databaseUrl(base: string, name: string): string {
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin(url: string, statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const statement of statements) await client.query(statement)
  } finally {
    await client.end()
  }
}

/** A webhook receiver on loopback: when each message title first arrived. */
async function receiver() {
  const arrivals: { title: string; at: number }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { title?: string }
        arrivals.push({ title: body.title ?? '', at: Date.now() })
      } catch {
        // not ours
      }
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function waitFor<T>(what: string, deadlineMs: number, check: () => T | undefined): Promise<T> {
  const until = Date.now() + deadlineMs
  for (;;) {
    const found = check()
    if (found !== undefined) return found
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

/**
 * When the stored samples first showed the breach (a slot at ≥ 30 requests a second after the
 * load began) and its end (the first slot under 30 after the load stopped): the moments the
 * metric crossed the level, as the sampler records them.
 */
async function sampleTimes(url: string, started: number, stopped: number): Promise<[number, number]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const first = async (sqlText: string, from: number) => {
      const { rows } = await client.query<{ at: Date }>(sqlText, [new Date(from)])
      if (!rows[0]) throw new Error('no sample found')
      return rows[0].at.getTime()
    }
    const breach = await first(
      `select at from metric_samples where name = 'http_requests' and at >= $1 and value / ${INTERVAL_S} >= 30 order by at limit 1`,
      started,
    )
    const clear = await first(
      `select at from metric_samples where name = 'http_requests' and at >= $1 and value / ${INTERVAL_S} < 30 order by at limit 1`,
      stopped,
    )
    return [breach, clear]
  } finally {
    await client.end()
  }
}

async function latency(base: string, trials: number) {
  const url = databaseUrl(base, DATABASE)
  const cli = (cliArgs: string[]) =>
    promisify(execFile)(process.execPath, ['bin/sentia.js', ...cliArgs], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url, DEMO_DATA: 'false', LOG_LEVEL: 'warn', REDIS_URL: '' },
      timeout: 120_000,
    })
  await cli(['db:migrate', '--json'])
  const key = (
    JSON.parse((await cli(['apikey:create', '--name', 'bench', '--role', 'admin', '--json'])).stdout) as {
      key: string
    }
  ).key
  const hook = await receiver()
  const app = await spawnApp(
    appCommand(args.tsx),
    {
      DATABASE_URL: url,
      REDIS_URL: '',
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      RATE_LIMIT_PER_MINUTE: '1000000',
      SAMPLER_INTERVAL_SECONDS: String(INTERVAL_S),
      ALERT_EVALUATION_SECONDS: String(INTERVAL_S),
    },
    180_000,
  )
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${app.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<Record<string, unknown>>
  }
  const results: {
    loadToDeliveryMs: number
    breachToDeliveryMs: number
    stopToResolvedMs: number
    clearToResolvedMs: number
  }[] = []
  try {
    await call('POST', '/api/notifications/channels', {
      name: 'bench',
      kind: 'webhook',
      destination: hook.url,
      secret: 'bench-webhook-secret-0123456789',
    })
    await call('PUT', '/api/escalation-policies/low', {
      steps: [{ afterMinutes: 0, notify: ['channel:bench'] }],
    })
    for (const rule of (await call('GET', '/api/alert-rules')).items as { id: string }[])
      await call('PATCH', `/api/alert-rules/${rule.id}`, { enabled: false })
    await call('POST', '/api/alert-rules', {
      name: 'Bench load',
      metric: 'request_rate',
      kind: 'threshold',
      params: { op: '>=', alert: 30, windowSeconds: INTERVAL_S },
      severity: 'low',
    })
    for (let trial = 1; trial <= trials; trial++) {
      await sleep(Math.random() * INTERVAL_S * 1000)
      const seen = hook.arrivals.length
      const controller = new AbortController()
      const started = Date.now()
      // About 60 requests a second until told to stop.
      const load = (async () => {
        while (!controller.signal.aborted) {
          await Promise.all(
            Array.from({ length: 6 }, () => fetch(`${app.base}/health/live`).then((r) => r.arrayBuffer())),
          )
          await sleep(100)
        }
      })()
      const fired = await waitFor('the alert message', 90_000, () =>
        hook.arrivals.slice(seen).find((a) => a.title === '[LOW] Bench load'),
      )
      controller.abort()
      await load
      const stopped = Date.now()
      const resolved = await waitFor('the resolved message', 90_000, () =>
        hook.arrivals.slice(seen).find((a) => a.title === '[RESOLVED] Bench load'),
      )
      const [breachAt, clearAt] = await sampleTimes(url, started, stopped)
      const result = {
        loadToDeliveryMs: fired.at - started,
        breachToDeliveryMs: fired.at - breachAt,
        stopToResolvedMs: resolved.at - stopped,
        clearToResolvedMs: resolved.at - clearAt,
      }
      results.push(result)
      log(`trial ${trial}: ${JSON.stringify(result)}`)
    }
  } finally {
    await app.stop()
    await hook.close()
  }
  return results
}

async function evaluationCost(base: string, count: number) {
  const url = databaseUrl(base, DATABASE)
  const config = loadConfig({
    DATABASE_URL: url,
    LOG_LEVEL: 'silent',
    DEMO_DATA: 'false',
    ALERT_EVALUATION_SECONDS: '0',
    NOTIFY_POLL_MS: '0',
    SAMPLER_INTERVAL_SECONDS: '0',
  })
  const ctx = await createContext({ config, logger: createLogger(config), role: 'worker' })
  try {
    await ctx.db.deleteFrom('alert_rules').execute()
    const now = Date.now()
    const gauges = ['cpu_percent', 'memory_percent', 'disk_percent', 'event_loop_lag_ms']
    // An hour of samples from three replicas, and a week-ago hour for the change rules.
    for (const offset of [0, 7 * 86_400_000]) {
      const rows = []
      for (const name of gauges)
        for (const replica of ['a', 'b', 'c'])
          for (let i = 0; i < 360; i++)
            rows.push({
              name,
              instanceId: `bench-${replica}`,
              at: new Date(now - offset - i * 10_000),
              value: (i * 7) % 100,
            })
      for (let i = 0; i < rows.length; i += 2000) await writeSamples(ctx, rows.slice(i, i + 2000))
    }
    const system = { type: 'system', id: null } as const
    const windows = [60, 300, 900]
    for (let i = 0; i < count; i++) {
      const metric = gauges[i % gauges.length]!
      const base = {
        name: `bench rule ${i}`,
        metric,
        severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4]!,
      }
      const kind = i % 10
      if (kind < 6)
        await createRule(
          ctx,
          {
            ...base,
            kind: 'threshold',
            params: { op: '>=', alert: 40 + (i % 60), windowSeconds: windows[i % 3]! },
          },
          system,
        )
      else if (kind < 8)
        await createRule(
          ctx,
          {
            ...base,
            kind: 'change',
            params: {
              direction: 'drop',
              percent: 50,
              compareSeconds: 604_800,
              windowSeconds: windows[i % 3]!,
            },
          },
          system,
        )
      else if (kind < 9)
        await createRule(
          ctx,
          { ...base, kind: 'deviation', params: { sigma: 2, weeks: 8, bucketSeconds: 3600 } },
          system,
        )
      else await createRule(ctx, { ...base, kind: 'absence', params: { minutes: 5 } }, system)
    }
    const cycles = []
    for (let i = 0; i < 4; i++) cycles.push(await evaluateAlerts(ctx))
    return cycles
  } finally {
    await closeContext(ctx, 5000)
  }
}

async function main(): Promise<number> {
  const base = process.env.DATABASE_URL
  if (!base?.startsWith('postgres')) {
    console.error(
      'bench/alerting.ts runs on PostgreSQL: set DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)',
    )
    return 1
  }
  const trials = Number(args.trials)
  const count = Number(args.rules)
  await admin(base, [`drop database if exists ${DATABASE} with (force)`, `create database ${DATABASE}`])
  try {
    log(`breach → delivery, ${trials} trials…`)
    const trialsResult = await latency(base, trials)
    log(`${count} rules in one cycle…`)
    const cycles = await evaluationCost(base, count)
    const breach = trialsResult.map((r) => r.breachToDeliveryMs)
    const load = trialsResult.map((r) => r.loadToDeliveryMs)
    const resolved = trialsResult.map((r) => r.clearToResolvedMs)
    const stop = trialsResult.map((r) => r.stopToResolvedMs)
    const slowestCycle = Math.max(...cycles.map((c) => c.durationMs))
    const s = (values: number[]) =>
      `median ${(median(values) / 1000).toFixed(1)} s, max ${(Math.max(...values) / 1000).toFixed(1)} s`
    const goals = [
      {
        goal: `breach (the sample over the level) → delivery ≤ interval + 2 s (${INTERVAL_S + 2} s)`,
        measured: s(breach),
        met: Math.max(...breach) <= (INTERVAL_S + 2) * 1000,
      },
      {
        goal: `"resolved" within one evaluation interval (+ 2 s delivery) of the sample under the level`,
        measured: s(resolved),
        met: Math.max(...resolved) <= (INTERVAL_S + 2) * 1000,
      },
      {
        goal: `${count} rules evaluated in one cycle ≤ 1 s (PostgreSQL)`,
        measured: `slowest of ${cycles.length} cycles ${Math.round(slowestCycle)} ms (first, opening ${cycles[0]!.opened} alerts: ${Math.round(cycles[0]!.durationMs)} ms)`,
        met: slowestCycle <= 1000,
      },
    ]
    const result = {
      trials: trialsResult,
      breachToDelivery: {
        medianMs: median(breach),
        p90Ms: quantile(breach, 0.9),
        maxMs: Math.max(...breach),
      },
      loadToDelivery: { medianMs: median(load), maxMs: Math.max(...load) },
      clearToResolved: { medianMs: median(resolved), maxMs: Math.max(...resolved) },
      stopToResolved: { medianMs: median(stop), maxMs: Math.max(...stop) },
      cycles,
      goals,
    }
    if (args.json) console.log(JSON.stringify(result, null, 2))
    else {
      console.log(`load start → delivery (sampling included): ${s(load)}`)
      console.log(`load stop → resolved (sampling included): ${s(stop)}`)
      console.log(`cycles (ms): ${cycles.map((c) => Math.round(c.durationMs)).join(', ')}`)
      for (const g of goals) console.log(`${g.met ? 'MET ' : 'MISS'} ${g.goal}: ${g.measured}`)
    }
    return goals.every((g) => g.met) ? 0 : 3
  } finally {
    await admin(base, [`drop database if exists ${DATABASE} with (force)`])
  }
}

runBench(main, BUDGET_MS)
