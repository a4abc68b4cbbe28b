/**
 * HTTP overhead benchmark: how much the app's platform (hooks, security headers, metrics,
 * request ids, schemas, health checks) costs against a bare Fastify "hello world", and how much
 * memory the app holds when idle. Loopback only; bounded in time; cleans up after itself.
 *
 *   npm run bench:http -- [options]
 *
 *   --duration <s>     seconds per measured run, after a 2 s warm-up (default 10)
 *   --rounds <n>       repeat bare, /health/live, /health n times; report medians (default 1)
 *   --connections <n>  concurrent connections (default 50)
 *   --idle-wait <s>    seconds between ready and the idle RSS reading (default 30)
 *   --second-boot      start the app once to create DATA_DIR, stop it, measure a restart
 *   --tsx              run the TypeScript through tsx (`bin/sentia.js serve`) instead of what
 *                      `npm start` runs (its build, then its node command)
 *   --bare-inline      run the bare server inside this process (shares a thread with the load)
 *   --floor            also measure the bare hello world served from inside the app's process
 *                      (bench/floor-host.mjs): the floor any route of the app starts from
 *   --no-pin           let the servers and the load generator float over the CPUs (by default,
 *                      with 2 or more CPUs, the servers run on CPU 0 and the load on CPU 1)
 *   --json             print the result as JSON
 *
 * DATABASE_URL / REDIS_URL in this script's environment are passed to the app, so the same
 * script measures the PostgreSQL engine; without them the app uses embedded PGlite.
 * See bench/README.md for the goals and recorded results.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createWriteStream, readFileSync, rmSync, type WriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import Fastify, { type FastifyInstance } from 'fastify'
import { holdTickObjectShape } from '../server/platform/tick-object-shape.ts'
import {
  appCommand,
  freePort,
  gitState,
  median,
  pinToCpus,
  ROOT,
  STOP_TIMEOUT_MS,
  sleep,
  stopChild,
  waitForReady,
  within,
} from './lib.ts'

const SELF = fileURLToPath(import.meta.url)

const WARMUP_SECONDS = 2
const READY_TIMEOUT_MS = 60_000
const MB = 1024 * 1024
const CLOCK_TICKS = 100 // USER_HZ: /proc reports CPU time in 1/100 s on Linux
const FLOOR_TARGET = 'hello world in the app process GET /'
const FLOOR_HOST = path.join(ROOT, 'bench/floor-host.mjs')

const GOALS = {
  liveRatio: 0.85,
  healthRatio: 0.6,
  idleRssBytes: { pglite: 400 * MB, postgres: 150 * MB },
} as const

type Engine = 'pglite' | 'postgres'

interface RunResult {
  name: string
  url: string
  round: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  totalRequests: number
  non2xx: number
  status5xx: number
  errors: number
  timeouts: number
  /** Average CPU (in cores) during the measured run: server, load generator, everything else. */
  cpu: CpuUse
  /**
   * Server CPU time per request (µs): less sensitive to other load on the machine than req/s.
   * Null when the server runs inside the bench process (--bare-inline).
   */
  serverMicrosPerRequest: number | null
}

interface CpuUse {
  serverCores: number
  loadGeneratorCores: number
  /** Kernel time not charged to a process: mostly loopback network processing (softirq). */
  interruptCores: number
  otherCores: number
  stealCores: number
}

/** One target over all rounds: medians, plus the spread of req/s. */
interface TargetSummary {
  name: string
  url: string
  rounds: number
  requestsPerSecond: number
  minRequestsPerSecond: number
  maxRequestsPerSecond: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  totalRequests: number
  non2xx: number
  errors: number
  cpu: CpuUse
  serverMicrosPerRequest: number | null
}

interface Goal {
  label: string
  value: number
  goal: number
  comparison: '>=' | '<='
  pass: boolean
}

interface ProcMemory {
  rssBytes: number
  peakRssBytes: number
  anonBytes: number
  fileBytes: number
}

/** The app's own view of its memory: GET /api/metrics/memory, or the Prometheus gauges of GET /metrics. */
interface ReportedMemory {
  source: string
  rssBytes?: number
  heapUsedBytes?: number
  heapTotalBytes?: number
  externalBytes?: number
  arrayBuffersBytes?: number
}

interface Report {
  date: string
  machine: { nproc: number; cpu: string; node: string; platform: string; totalMemoryBytes: number }
  /** What was measured: commit, whether app sources differ from it, and the command. */
  app: { commit: string; uncommittedChanges: number; command: string }
  /** Seconds between ready and the idle RSS reading. */
  idleWaitSeconds: number
  /** 'first': measured on the boot that created DATA_DIR; 'second': on a restart (--second-boot). */
  boot: 'first' | 'second'
  /** Start until GET /health/ready answered 200, per boot. */
  readyMs: number[]
  engine: Engine
  redis: boolean
  bareServer: 'child process' | 'in the bench process'
  /** Where the processes ran: "servers on CPU 0, load generator on CPU 1", or null if they floated. */
  pinning: string | null
  connections: number
  durationSeconds: number
  warmupSeconds: number
  rounds: number
  /** Whether the app's process also served the bare hello world (--floor); its RSS includes it. */
  floor: boolean
  /** Medians over the rounds; the goals use these. */
  summary: TargetSummary[]
  runs: RunResult[]
  memory: {
    idle: ProcMemory
    /** The app's own figures after the idle wait, if it answered. */
    reported: ReportedMemory | null
    afterLoad: ProcMemory | null
    bareIdle: ProcMemory | null
  }
  goals: Goal[]
  shutdown: { exitCode: number | null; signal: string | null; ms: number; killed: boolean } | null
  problems: string[]
}

// ---------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '1' },
    'idle-wait': { type: 'string', default: '30' },
    json: { type: 'boolean', default: false },
    'bare-inline': { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    tsx: { type: 'boolean', default: false },
    'second-boot': { type: 'boolean', default: false },
    'serve-bare': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

if (args['serve-bare']) {
  await serveBareChild()
} else if (args.help) {
  console.log(readFileSync(SELF, 'utf8').split('*/')[0])
} else {
  process.exitCode = await main()
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const duration = positiveInteger('--duration', args.duration)
  const connections = positiveInteger('--connections', args.connections)
  const rounds = positiveInteger('--rounds', args.rounds)
  const idleWaitMs = positiveInteger('--idle-wait', args['idle-wait']) * 1000
  const json = args.json
  const log = (message: string) => {
    if (!json) console.error(message)
  }
  const problems: string[] = []
  const nproc = os.availableParallelism() // before pinning, which leaves this process one CPU

  // Stop cleanly on Ctrl-C / SIGTERM: abort the current load run, then the finally block cleans up.
  const abort = new AbortController()
  let current: autocannon.Instance | undefined
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping`)
    abort.abort(new Error(`interrupted by ${signal}`))
    current?.stop()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sentia-bench-'))
  const logFile = path.join(dataDir, 'app.log')
  let app: ChildProcess | undefined
  let appExit: Promise<[number | null, NodeJS.Signals | null]> | undefined
  let appExited = false
  let bare: BareServer | undefined
  let shutdown: Report['shutdown'] = null
  let report: Report | undefined
  let out: WriteStream | undefined
  const readyMs: number[] = []

  // A hard ceiling on the whole run, in case something hangs in a way the timeouts below miss.
  const budgetMs =
    (args['second-boot'] ? 2 : 1) * (READY_TIMEOUT_MS + STOP_TIMEOUT_MS) +
    idleWaitMs +
    (args.floor ? 4 : 3) * rounds * (WARMUP_SECONDS + duration) * 1000 +
    90_000
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${Math.round(budgetMs / 1000)} s; killing everything`)
    app?.kill('SIGKILL')
    bare?.child?.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
    process.exit(2)
  }, budgetMs)
  watchdog.unref()

  const checkpoint = () => {
    if (abort.signal.aborted) throw abort.signal.reason
    if (appExited) throw new Error('the app exited during the benchmark')
  }

  try {
    // Each server on one CPU and the load generator on another: on a 2-CPU virtual machine,
    // processes that float share a CPU now and then, and req/s then swings between two levels.
    const pinned = !args['no-pin'] && !args['bare-inline'] && nproc >= 2 && pinToCpus(process.pid, '1')
    const pinServer = (pid: number | undefined) => {
      if (pinned && !(pid && pinToCpus(pid, '0')))
        throw new Error(`taskset could not pin pid ${pid} to CPU 0`)
    }

    // 1. Bare Fastify hello world.
    bare = args['bare-inline'] ? await startBareInline() : await startBareChild()
    log(`bare fastify on ${bare.url} (${bare.child ? `child pid ${bare.child.pid}` : 'in process'})`)
    pinServer(bare.child?.pid)

    // 2. The real app in a child process.
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const floorPort = args.floor ? await freePort() : undefined
    out = createWriteStream(logFile)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      // Empty (= unset) unless given to the bench, so a developer's .env cannot switch engines.
      DATABASE_URL: process.env.DATABASE_URL ?? '',
      REDIS_URL: process.env.REDIS_URL ?? '',
      ...(floorPort ? { BENCH_FLOOR_PORT: String(floorPort) } : {}),
    }
    const command = args.floor ? withFloorHost(appCommand(args.tsx)) : appCommand(args.tsx)
    const boots = args['second-boot'] ? 2 : 1
    for (let boot = 1; boot <= boots; boot++) {
      const child = spawn(process.execPath, command, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      app = child
      child.stdout?.pipe(out, { end: false })
      child.stderr?.pipe(out, { end: false })
      appExited = false
      appExit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
      void appExit.then(() => {
        if (app === child) appExited = true
      })
      log(
        `app starting${boots > 1 ? ` (boot ${boot} of ${boots})` : ''}: pid ${child.pid}, ${base}, DATA_DIR ${dataDir}`,
      )
      const startedAt = performance.now()
      await waitForReady(`${base}/health/ready`, () => appExited, abort.signal, READY_TIMEOUT_MS)
      readyMs.push(Math.round(performance.now() - startedAt))
      log(`app ready after ${readyMs.at(-1)} ms`)
      if (boot < boots) {
        // The first boot initialised DATA_DIR (initdb, migrations); stop it and measure a plain restart.
        const stopped = await stopChild(child, appExit, false)
        if (stopped.killed || stopped.exitCode !== 0) {
          throw new Error(`the first boot did not stop cleanly (exit code ${stopped.exitCode})`)
        }
      }
    }
    if (!app) throw new Error('the app did not start')
    pinServer(app.pid)
    log(pinned ? 'servers pinned to CPU 0, load generator to CPU 1' : 'processes float over the CPUs')

    const health = await getJson(`${base}/health`)
    const engine = readEngine(health.body) ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite')
    if (health.status !== 200) problems.push(`GET /health answered ${health.status} right after start`)

    // 3. Idle memory.
    log(`waiting ${idleWaitMs / 1000} s for the app to settle`)
    await sleep(idleWaitMs, abort.signal)
    checkpoint()
    const idle = procMemory(app.pid!)
    const reported = await reportedMemory(base, problems)
    const bareIdle = bare.child?.pid ? procMemory(bare.child.pid) : null

    // 4. Load, one target after the other.
    const barePid = bare.child?.pid ?? process.pid
    const targets = [
      { name: 'bare fastify GET /', url: `${bare.url}/`, pid: barePid },
      ...(floorPort ? [{ name: FLOOR_TARGET, url: `http://127.0.0.1:${floorPort}/`, pid: app.pid! }] : []),
      { name: 'app GET /health/live', url: `${base}/health/live`, pid: app.pid! },
      { name: 'app GET /health', url: `${base}/health`, pid: app.pid! },
    ]
    const runs: RunResult[] = []
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        checkpoint()
        log(
          `${rounds > 1 ? `[round ${round}/${rounds}] ` : ''}${target.name}: warm-up ${WARMUP_SECONDS} s, ` +
            `then ${duration} s with ${connections} connections`,
        )
        const load = (seconds: number) => {
          const instance = autocannon({ url: target.url, connections, duration: seconds }, () => {})
          current = instance
          return once(instance, 'done').then(([result]) => result as autocannon.Result)
        }
        await load(WARMUP_SECONDS)
        checkpoint()
        const before = cpuSample(target.pid)
        const result = await load(duration)
        const cpu = cpuUse(before, cpuSample(target.pid))
        current = undefined
        checkpoint()
        const run = summarise(target.name, target.url, round, result, cpu)
        runs.push(run)
        log(`  ${Math.round(run.requestsPerSecond)} req/s, p99 ${run.p99Ms} ms`)
        if (run.totalRequests === 0) throw new Error(`${target.name}: no request completed`)
        const where = `${target.name}${rounds > 1 ? ` (round ${round})` : ''}`
        if (cpu.otherCores > 0.25 || cpu.stealCores > 0.25) {
          problems.push(
            `${where}: other processes used ${cpu.otherCores.toFixed(2)} cores (steal ` +
              `${cpu.stealCores.toFixed(2)}); the figures are disturbed, run again on a quiet machine`,
          )
        }
        if (run.non2xx > 0) problems.push(`${where}: ${run.non2xx} non-2xx responses (${run.status5xx} 5xx)`)
        if (run.errors > 0) problems.push(`${where}: ${run.errors} errors (${run.timeouts} timeouts)`)
      }
    }
    const afterLoad = procMemory(app.pid!)

    const summary = targets.map((target) => summariseTarget(runs.filter((run) => run.name === target.name)))
    // In the order of `targets`: bare first, the app's two routes last (the floor, if any, between).
    const [bareRun, liveRun, healthRun] = [summary[0], summary.at(-2), summary.at(-1)] as [
      TargetSummary,
      TargetSummary,
      TargetSummary,
    ]
    const rssGoal = GOALS.idleRssBytes[engine]
    const goals: Goal[] = [
      ratioGoal('/health/live ÷ bare req/s', liveRun, bareRun, GOALS.liveRatio),
      ratioGoal('/health ÷ bare req/s', healthRun, bareRun, GOALS.healthRatio),
      {
        label: `idle RSS (${engine})`,
        value: idle.rssBytes,
        goal: rssGoal,
        comparison: '<=',
        pass: idle.rssBytes <= rssGoal,
      },
    ]

    report = {
      date: new Date().toISOString(),
      machine: {
        nproc,
        cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
        node: process.version,
        platform: `${os.platform()} ${os.release()} ${os.arch()}`,
        totalMemoryBytes: os.totalmem(),
      },
      app: { ...gitState(), command: ['node', ...command].join(' ') },
      idleWaitSeconds: idleWaitMs / 1000,
      boot: boots > 1 ? 'second' : 'first',
      readyMs,
      engine,
      redis: Boolean(process.env.REDIS_URL),
      bareServer: bare.child ? 'child process' : 'in the bench process',
      pinning: pinned ? 'servers on CPU 0, load generator on CPU 1' : null,
      floor: Boolean(floorPort),
      connections,
      durationSeconds: duration,
      warmupSeconds: WARMUP_SECONDS,
      rounds,
      summary,
      runs,
      memory: { idle, reported, afterLoad, bareIdle },
      goals,
      shutdown: null,
      problems,
    }
  } catch (error) {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`)
    if (app && !abort.signal.aborted) console.error(await tail(logFile))
    return 1
  } finally {
    current?.stop()
    if (app && appExit) {
      shutdown = await stopChild(app, appExit, appExited)
      if (report) report.shutdown = shutdown
    }
    await bare?.close().catch((error: Error) => problems.push(`closing the bare server: ${error.message}`))
    if (report && shutdown) {
      if (shutdown.killed) {
        problems.push(`the app ignored SIGTERM for ${STOP_TIMEOUT_MS / 1000} s (SIGKILLed)`)
      } else if (shutdown.exitCode !== 0) {
        problems.push(`the app exited with code ${shutdown.exitCode} signal ${shutdown.signal} on SIGTERM`)
      }
      // Our own unauthenticated GET /api/metrics/memory is logged as a warning; anything else is news.
      const logged = (await readFile(logFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line.trim() && !isOurUnauthorisedProbe(line))
      if (logged.length > 0) {
        problems.push(
          `the app logged ${plural(logged.length, 'line')} at warn or above:\n${indent(logged.join('\n'), '    ')}`,
        )
      }
    }
    out?.end()
    await rm(dataDir, { recursive: true, force: true })
    clearTimeout(watchdog)
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  if (json) console.log(JSON.stringify(report, null, 2))
  else printReport(report)
  return 0
}

// --- bare server ------------------------------------------------------------------------------

interface BareServer {
  url: string
  child?: ChildProcess
  close(): Promise<void>
}

/**
 * Holds one nextTick record, as the app's `serve` does (server/platform/tick-object-shape.ts):
 * without it, whether V8 had freed the records' hidden classes before a run decided whether
 * the baseline needed about 90,000 or 140,000 instructions a request, a coin toss that made
 * the app look better than it is.
 */
async function helloWorld(): Promise<FastifyInstance> {
  await holdTickObjectShape()
  const server = Fastify({ logger: false })
  server.get('/', async () => ({ hello: 'world' }))
  return server
}

/** In the bench process: simplest, but the server shares one thread with the load generator. */
async function startBareInline(): Promise<BareServer> {
  const server = await helloWorld()
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  return { url, close: () => server.close() }
}

/** The app's command with bench/floor-host.mjs before its entry script (--floor). */
function withFloorHost(command: string[]): string[] {
  const entry = command.findIndex((arg) => !arg.startsWith('-'))
  return [...command.slice(0, entry), FLOOR_HOST, ...command.slice(entry)]
}

/** This script again with --serve-bare: its own process, like the app, so the comparison is fair. */
async function startBareChild(): Promise<BareServer> {
  const child = fork(SELF, ['--serve-bare'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  const message = await within(
    30_000,
    Promise.race([
      once(child, 'message').then(([m]) => m as { url?: string }),
      exited.then(() => ({}) as { url?: string }),
    ]),
    {},
  )
  if (!message.url) {
    child.kill('SIGKILL')
    throw new Error('the bare fastify child did not start')
  }
  return {
    url: message.url,
    child,
    close: async () => {
      const result = await stopChild(child, exited, child.exitCode !== null)
      if (result.killed) throw new Error('the bare fastify child ignored SIGTERM')
    },
  }
}

async function serveBareChild(): Promise<void> {
  const server = await helloWorld()
  const url = await server.listen({ host: '127.0.0.1', port: 0 })
  const stop = () => void server.close().then(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  process.once('disconnect', stop) // the bench died: do not outlive it
  process.send?.({ url })
}

// --- processes and ports ----------------------------------------------------------------------

/**
 * GET /api/metrics/memory needs a viewer's credentials once roles are enforced; the bench has none,
 * so it falls back to the Prometheus gauges of GET /metrics, which loopback peers may read.
 */
async function reportedMemory(base: string, problems: string[]): Promise<ReportedMemory | null> {
  const detail = await getJson(`${base}/api/metrics/memory`).catch(() => undefined)
  const body = detail?.status === 200 ? detail.body : undefined
  if (isRecord(body)) {
    const number = (name: string) => (typeof body[name] === 'number' ? body[name] : undefined)
    return {
      source: 'GET /api/metrics/memory',
      rssBytes: number('rssBytes'),
      heapUsedBytes: number('heapUsedBytes'),
      heapTotalBytes: number('heapTotalBytes'),
      externalBytes: number('externalBytes'),
      arrayBuffersBytes: number('arrayBuffersBytes'),
    }
  }
  const prometheus = await getJson(`${base}/metrics`).catch(() => undefined)
  if (prometheus?.status !== 200 || typeof prometheus.body !== 'string') {
    problems.push(
      `GET /api/metrics/memory answered ${detail?.status ?? 'nothing'} and GET /metrics ` +
        `${prometheus?.status ?? 'nothing'}: no memory figures from the app itself`,
    )
    return null
  }
  const text = prometheus.body
  const gauge = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)
    return match ? Number(match[1]) : undefined
  }
  return {
    source: `GET /metrics (GET /api/metrics/memory answered ${detail?.status ?? 'nothing'})`,
    rssBytes: gauge('process_resident_memory_bytes'),
    heapUsedBytes: gauge('nodejs_heap_size_used_bytes'),
    heapTotalBytes: gauge('nodejs_heap_size_total_bytes'),
    externalBytes: gauge('nodejs_external_memory_bytes'),
  }
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
  const text = await response.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body }
}

function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)
    return match ? Number(match[1]) * 1024 : 0
  }
  return {
    rssBytes: kb('VmRSS'),
    peakRssBytes: kb('VmHWM'),
    anonBytes: kb('RssAnon'),
    fileBytes: kb('RssFile'),
  }
}

interface CpuSample {
  at: number
  busy: number
  interrupts: number
  steal: number
  server: number
  self: number
}

/** Machine-wide busy time from /proc/stat and the server's and this process's own CPU time. */
function cpuSample(serverPid: number): CpuSample {
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number)
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
  const processTicks = (pid: number) => {
    // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(rest[11]) + Number(rest[12])
  }
  const self = processTicks(process.pid)
  return {
    at: performance.now(),
    busy: user + nice + system,
    interrupts: irq + softirq,
    steal,
    server: serverPid === process.pid ? 0 : processTicks(serverPid),
    self,
  }
}

function cpuUse(a: CpuSample, b: CpuSample): CpuUse {
  const seconds = (b.at - a.at) / 1000
  const cores = (ticks: number) => Math.round((ticks / CLOCK_TICKS / seconds) * 100) / 100
  const server = b.server - a.server
  const self = b.self - a.self
  return {
    serverCores: cores(server),
    loadGeneratorCores: cores(self),
    interruptCores: cores(b.interrupts - a.interrupts),
    otherCores: Math.max(0, cores(b.busy - a.busy - server - self)),
    stealCores: cores(b.steal - a.steal),
  }
}

// --- results ----------------------------------------------------------------------------------

function summarise(
  name: string,
  url: string,
  round: number,
  result: autocannon.Result,
  cpu: CpuUse,
): RunResult {
  return {
    name,
    url,
    round,
    cpu,
    serverMicrosPerRequest:
      cpu.serverCores > 0 && result.requests.average > 0
        ? Math.round((cpu.serverCores * 1e6) / result.requests.average)
        : null,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    totalRequests: result.requests.total,
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
  }
}

function summariseTarget(runs: RunResult[]): TargetSummary {
  const first = runs[0]!
  const perSecond = runs.map((run) => run.requestsPerSecond)
  const cpu = (pick: (use: CpuUse) => number) => median(runs.map((run) => pick(run.cpu)))
  const micros = runs.flatMap((run) =>
    run.serverMicrosPerRequest === null ? [] : [run.serverMicrosPerRequest],
  )
  return {
    name: first.name,
    url: first.url,
    rounds: runs.length,
    requestsPerSecond: median(perSecond),
    minRequestsPerSecond: Math.min(...perSecond),
    maxRequestsPerSecond: Math.max(...perSecond),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    maxMs: Math.max(...runs.map((run) => run.maxMs)),
    totalRequests: runs.reduce((sum, run) => sum + run.totalRequests, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    serverMicrosPerRequest: micros.length > 0 ? median(micros) : null,
    cpu: {
      serverCores: cpu((use) => use.serverCores),
      loadGeneratorCores: cpu((use) => use.loadGeneratorCores),
      interruptCores: cpu((use) => use.interruptCores),
      otherCores: cpu((use) => use.otherCores),
      stealCores: cpu((use) => use.stealCores),
    },
  }
}

function ratioGoal(label: string, run: TargetSummary, bare: TargetSummary, goal: number): Goal {
  const value = bare.requestsPerSecond > 0 ? run.requestsPerSecond / bare.requestsPerSecond : 0
  return { label, value, goal, comparison: '>=', pass: value >= goal }
}

function readEngine(body: unknown): Engine | undefined {
  if (!isRecord(body) || !isRecord(body.components)) return undefined
  const database = body.components.database
  if (!isRecord(database)) return undefined
  return database.engine === 'postgres' || database.engine === 'pglite' ? database.engine : undefined
}

function printReport(report: Report | undefined): void {
  if (!report) return
  const { machine, memory } = report
  const lines: string[] = []
  lines.push('')
  lines.push(
    `engine ${report.engine}${report.redis ? ' + redis' : ''} · ${report.connections} connections · ` +
      `${report.durationSeconds} s per run after ${report.warmupSeconds} s warm-up` +
      `${report.rounds > 1 ? ` · median of ${report.rounds} rounds` : ''} · bare server ${report.bareServer}`,
  )
  lines.push(
    `${machine.nproc} CPUs (${machine.cpu}) · node ${machine.node} · ${machine.platform} · ` +
      (report.pinning ?? 'processes floating over the CPUs'),
  )
  lines.push(
    `app: ${report.app.command} at ${report.app.commit}` +
      (report.app.uncommittedChanges > 0 ? ` + ${report.app.uncommittedChanges} uncommitted changes` : ''),
  )
  lines.push(
    `measured on the ${report.boot} boot of a fresh DATA_DIR; ready after ${report.readyMs.join(' ms, then ')} ms`,
  )
  lines.push(
    'srv µs/req: server CPU time per request. CPU: average cores used by the server, the load generator, ' +
      'interrupts (loopback networking) and other processes' +
      (report.bareServer === 'in the bench process'
        ? '; the inline bare server counts as load generator'
        : ''),
  )
  lines.push('')
  lines.push(
    table(
      [
        'target',
        'req/s',
        ...(report.rounds > 1 ? ['min–max'] : []),
        'p50 ms',
        'p99 ms',
        'max ms',
        'requests',
        'non-2xx',
        'errors',
        'srv µs/req',
        'CPU srv/cli/irq/other',
      ],
      report.summary.map((run) => [
        run.name,
        Math.round(run.requestsPerSecond).toLocaleString('en'),
        ...(report.rounds > 1
          ? [
              `${Math.round(run.minRequestsPerSecond).toLocaleString('en')}–` +
                Math.round(run.maxRequestsPerSecond).toLocaleString('en'),
            ]
          : []),
        String(run.p50Ms),
        String(run.p99Ms),
        String(run.maxMs),
        run.totalRequests.toLocaleString('en'),
        String(run.non2xx),
        String(run.errors),
        run.serverMicrosPerRequest === null ? '-' : String(run.serverMicrosPerRequest),
        [run.cpu.serverCores, run.cpu.loadGeneratorCores, run.cpu.interruptCores, run.cpu.otherCores]
          .map((c) => c.toFixed(2))
          .join(' / '),
      ]),
    ),
  )
  lines.push('')
  lines.push(
    table(
      ['goal', 'measured', 'target', 'result'],
      report.goals.map((goal) => {
        const bytes = goal.label.startsWith('idle RSS')
        const show = (value: number) => (bytes ? formatMb(value) : `${(value * 100).toFixed(1)}%`)
        return [
          goal.label,
          show(goal.value),
          `${goal.comparison} ${show(goal.goal)}`,
          goal.pass ? 'PASS' : 'MISS',
        ]
      }),
    ),
  )
  const floor = report.summary.find((run) => run.name === FLOOR_TARGET)
  const bareRate = report.summary[0]?.requestsPerSecond
  if (floor && bareRate) {
    lines.push(
      `floor (not a goal): the hello world inside the app's process ÷ bare req/s ` +
        `${((floor.requestsPerSecond / bareRate) * 100).toFixed(1)}%`,
    )
  }
  const [bareCost, ...appCosts] = report.summary.map((run) => run.serverMicrosPerRequest)
  if (bareCost) {
    const shares = appCosts.map((cost, i) =>
      cost ? `${report.summary[i + 1]?.name} ${((bareCost / cost) * 100).toFixed(1)}%` : undefined,
    )
    lines.push(
      `cross-check from server CPU per request (bare µs ÷ app µs; less disturbed by other load): ` +
        shares.filter(Boolean).join(', '),
    )
  }
  lines.push('')
  const idle = memory.idle
  lines.push(
    `app idle RSS ${report.idleWaitSeconds} s after ready ${formatMb(idle.rssBytes)} (anon ${formatMb(idle.anonBytes)}, file ${formatMb(idle.fileBytes)}; ` +
      `peak since start ${formatMb(idle.peakRssBytes)})${report.floor ? ', the --floor hello world included' : ''}`,
  )
  if (memory.reported) {
    const r = memory.reported
    lines.push(
      `  ${r.source}: rss ${formatMb(r.rssBytes)}, heap used ${formatMb(r.heapUsedBytes)} of ` +
        `${formatMb(r.heapTotalBytes)}, external ${formatMb(r.externalBytes)}` +
        (r.arrayBuffersBytes === undefined ? '' : `, array buffers ${formatMb(r.arrayBuffersBytes)}`),
    )
  }
  if (memory.afterLoad) {
    lines.push(
      `app after load: RSS ${formatMb(memory.afterLoad.rssBytes)}, peak ${formatMb(memory.afterLoad.peakRssBytes)}`,
    )
  }
  if (memory.bareIdle) lines.push(`bare fastify idle RSS ${formatMb(memory.bareIdle.rssBytes)} (for scale)`)
  if (report.shutdown) {
    const s = report.shutdown
    lines.push(
      `app shutdown on SIGTERM: ${s.ms} ms, exit code ${s.exitCode}${s.signal ? ` signal ${s.signal}` : ''}` +
        `${s.killed ? ' (SIGKILLed)' : ''}`,
    )
  }
  if (report.problems.length > 0) {
    lines.push('')
    lines.push('observations:')
    for (const problem of report.problems) lines.push(`  - ${problem}`)
  }
  console.log(lines.join('\n'))
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

// --- small helpers ----------------------------------------------------------------------------

function positiveInteger(name: string, raw: string | undefined): number {
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a positive whole number (got "${raw}")`)
    process.exit(1)
  }
  return value
}

/** Our own unauthenticated GET /api/metrics/memory, which the app logs as a warning (and a security event). */
function isOurUnauthorisedProbe(line: string): boolean {
  return (
    /"(url|route)":"\/api\/metrics\/memory"/.test(line) &&
    /"status":40[13]|"unauthorized"|"forbidden"/.test(line)
  )
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function formatMb(bytes: unknown): string {
  return typeof bytes === 'number' ? `${(bytes / MB).toFixed(1)} MB` : '?'
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .slice(0, 20)
    .map((line) => prefix + line)
    .join('\n')
}

async function tail(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    ? `last lines of the app log:\n${indent(text.trim().split('\n').slice(-20).join('\n'), '  ')}`
    : ''
}
