/**
 * The benchmark suite: runs the benches one after another, each as its own process with `--json`,
 * keeps their results and a few headline figures per bench in bench/results/<date>.json, compares
 * those with the previous run's and updates the summary table in bench/README.md.
 *
 *   npm run bench -- [options]
 *
 *   --quick              small scales and durations (minutes, not half an hour): checks that the
 *                        suite works; written to bench/results/quick-<date>.json, compared only with
 *                        quick runs, README left alone (unless --update-readme)
 *   --only <names>       comma list of benches to run (http, sse, import, business, alerting, backup, web)
 *   --skip <names>       comma list of benches to leave out
 *   --threshold <pct>    a figure worse than the previous run's by more than this is a regression (10)
 *   --tsx                run the apps through tsx instead of building them (benches that support it)
 *   --update-readme      also write a quick run's summary into bench/README.md
 *
 * The engine follows DATABASE_URL: PostgreSQL when set, the embedded engine otherwise; business,
 * alerting and backup need PostgreSQL and are skipped without it. Exit code 1 when a bench failed
 * to run (a missed goal or a regression is a finding, not a failure). See bench/README.md.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ensureDatabase, gitState, ROOT } from './lib.ts'
import { type BenchPlan, selectBenches } from './suite/benches.ts'
import {
  type Comparison,
  compareFigures,
  comparisonLines,
  DEFAULT_THRESHOLD_PERCENT,
  formatFigure,
} from './suite/compare.ts'
import { type Engine, type Figure, headlineFigures } from './suite/figures.ts'
import { formatGoal, replaceBetweenMarkers, summaryMarkdown } from './suite/readme.ts'
import {
  jsonFromOutput,
  nextResultName,
  pickPrevious,
  type StoredRun,
  storedFigures,
  tail,
} from './suite/results.ts'

const RESULTS_DIR = path.join(ROOT, 'bench', 'results')
const README = path.join(ROOT, 'bench', 'README.md')
/** After SIGTERM to a bench's process group, how long before SIGKILL. */
const KILL_GRACE_MS = 15_000
/** Exit codes that still come with a full result: alerting.ts exits 3 when a goal is missed. */
const RESULT_EXIT_CODES = new Set([0, 3])

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    skip: { type: 'string' },
    threshold: { type: 'string', default: String(DEFAULT_THRESHOLD_PERCENT) },
    tsx: { type: 'boolean', default: false },
    'update-readme': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
})

interface BenchRun {
  name: string
  status: 'ok' | 'failed' | 'skipped'
  reason?: string
  command?: string
  exitCode?: number | null
  signal?: string | null
  durationSeconds?: number
  figures: Figure[]
  raw?: unknown
  stderrTail?: string
}

const progress = (message: string) => console.error(`[bench] ${message}`)

/** The bench's process group now running, so every way out of the suite can kill it. */
let running: ChildProcess | undefined
let interrupted = false

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the bench's whole process group (it was started detached), its app included.
    if (child.pid) process.kill(-child.pid, signal)
  } catch {
    // already gone
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (interrupted) return
    interrupted = true
    progress(`${signal}: stopping the running bench`)
    const child = running
    if (child) {
      killGroup(child, 'SIGTERM')
      setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref()
    }
  })
process.on('exit', () => {
  if (running) killGroup(running, 'SIGKILL')
})

async function runBench(plan: BenchPlan, quick: boolean, tsx: boolean, engine: Engine): Promise<BenchRun> {
  const benchArgs = [...(quick ? plan.quick : plan.full), ...(tsx && plan.tsx ? ['--tsx'] : []), '--json']
  const command = `${plan.script} ${benchArgs.join(' ')}`
  const started = performance.now()
  const child = spawn(process.execPath, ['--import', 'tsx', plan.script, ...benchArgs], {
    cwd: ROOT,
    env: { ...process.env, ...(quick ? plan.quickEnv : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: a timeout or Ctrl-C kills the app it started too
  })
  running = child
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  let partial = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-64 * 1024)
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) console.error(`  ${plan.name} | ${line}`)
  })
  const timeoutMs = (quick ? plan.timeoutMinutes.quick : plan.timeoutMinutes.full) * 60_000
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    progress(`${plan.name}: still running after ${timeoutMs / 60_000} min; stopping it`)
    killGroup(child, 'SIGTERM')
    setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref()
  }, timeoutMs)
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, sig) => resolve([code, sig])),
  )
  clearTimeout(timer)
  // Whatever the bench left behind in its group (an app it did not stop) goes with it.
  killGroup(child, 'SIGKILL')
  running = undefined
  const durationSeconds = Math.round((performance.now() - started) / 100) / 10
  const raw = jsonFromOutput(stdout)
  const base = { name: plan.name, command, exitCode, signal, durationSeconds }
  const failure = timedOut
    ? `stopped after ${timeoutMs / 60_000} min`
    : interrupted
      ? 'interrupted'
      : !RESULT_EXIT_CODES.has(exitCode ?? -1)
        ? `exit code ${exitCode}${signal ? `, signal ${signal}` : ''}`
        : raw === undefined
          ? 'printed no JSON result'
          : undefined
  if (failure)
    return { ...base, status: 'failed', reason: failure, figures: [], stderrTail: tail(stderr + partial) }
  return {
    ...base,
    status: 'ok',
    ...(exitCode === 3 ? { reason: 'a goal was missed (exit code 3)' } : {}),
    figures: headlineFigures(plan.name, raw, engine),
    raw,
  }
}

function readStored(file: string): StoredRun | undefined {
  try {
    return JSON.parse(readFileSync(path.join(RESULTS_DIR, file), 'utf8')) as StoredRun
  } catch {
    return undefined
  }
}

/** Biome owns the layout of the repository's JSON and Markdown; a failure only leaves them unformatted. */
function biomeFormat(files: string[]): void {
  try {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', ...files], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
  } catch (error) {
    progress(
      `biome format failed (${error instanceof Error ? error.message : String(error)}); files left as written`,
    )
  }
}

function printRun(benches: BenchRun[]): void {
  for (const bench of benches) {
    const head = `${bench.name}: ${bench.status}${bench.reason ? ` (${bench.reason})` : ''}`
    console.log(bench.durationSeconds === undefined ? head : `${head}, ${bench.durationSeconds} s`)
    for (const f of bench.figures) {
      const goal = f.goal ? ` (goal ${formatGoal(f.goal, f.unit)}: ${f.pass ? 'pass' : 'MISS'})` : ''
      console.log(`  ${f.name}: ${formatFigure(f.value, f.unit)}${f.detail ? ` [${f.detail}]` : ''}${goal}`)
    }
    if (bench.status === 'failed' && bench.stderrTail)
      console.log(bench.stderrTail.replace(/^/gm, `    ${bench.name} stderr | `))
  }
}

async function main(): Promise<number> {
  const quick = args.quick
  const tsx = args.tsx
  const threshold = Number(args.threshold)
  if (!(threshold >= 0)) throw new Error('--threshold must be a number of percent ≥ 0')
  const plans = selectBenches(args.only, args.skip)
  const engine: Engine = process.env.DATABASE_URL ? 'postgres' : 'pglite'
  if (process.env.DATABASE_URL && (await ensureDatabase(process.env.DATABASE_URL)))
    progress(`created the database DATABASE_URL names`)
  const startedAt = new Date()
  const loadStart = os.loadavg()
  progress(
    `${quick ? 'quick' : 'full'} run on ${engine}: ${plans.map((plan) => plan.name).join(', ')} ` +
      `(load average ${loadStart.map((v) => v.toFixed(2)).join(' / ')})`,
  )

  const benches: BenchRun[] = []
  for (const [i, plan] of plans.entries()) {
    if (interrupted) break
    const unavailable = plan.unavailable(process.env)
    if (unavailable) {
      progress(`[${i + 1}/${plans.length}] ${plan.name}: skipped: ${unavailable}`)
      benches.push({ name: plan.name, status: 'skipped', reason: unavailable, figures: [] })
      continue
    }
    progress(`[${i + 1}/${plans.length}] ${plan.name}…`)
    const run = await runBench(plan, quick, tsx, engine)
    progress(`${plan.name}: ${run.status}${run.reason ? ` (${run.reason})` : ''} in ${run.durationSeconds} s`)
    benches.push(run)
  }
  if (interrupted) {
    progress('interrupted: no results written')
    return 1
  }

  const finishedAt = new Date()
  mkdirSync(RESULTS_DIR, { recursive: true })
  const existing = readdirSync(RESULTS_DIR)
  const file = nextResultName(existing, startedAt.toISOString().slice(0, 10), quick)
  const previous = pickPrevious(existing, { file, quick, engine }, readStored)
  const figures = benches.flatMap((bench) => bench.figures)
  const comparison: Comparison[] = previous
    ? compareFigures(figures, storedFigures(previous.run), threshold)
    : []
  const result = {
    quick,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationSeconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
    commit: gitState(),
    engine,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      totalMemoryMb: Math.round(os.totalmem() / 1024 ** 2),
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      loadAverage: { start: loadStart.map(round2), end: os.loadavg().map(round2) },
    },
    options: { quick, tsx, only: args.only ?? null, skip: args.skip ?? null, threshold },
    comparedWith: previous?.file ?? null,
    comparison,
    benches,
  }
  const resultPath = path.join(RESULTS_DIR, file)
  writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`)
  // Quick files are git-ignored, so Biome neither checks nor formats them.
  const formatted = quick ? [] : [resultPath]

  console.log('')
  printRun(benches)
  console.log('')
  console.log(`results: ${path.relative(ROOT, resultPath)}`)
  if (previous) {
    console.log(`compared with ${previous.file} (threshold ${threshold}%):`)
    for (const line of comparisonLines(comparison, threshold)) console.log(line)
  } else console.log(`no earlier ${quick ? 'quick' : 'full'} run on ${engine} to compare with`)

  if (!quick || args['update-readme']) {
    const text = readFileSync(README, 'utf8')
    writeFileSync(README, replaceBetweenMarkers(text, summaryMarkdown({ ...result, file })))
    formatted.push(README)
    console.log('summary written to bench/README.md')
  }
  if (formatted.length > 0) biomeFormat(formatted)
  return benches.some((bench) => bench.status === 'failed') ? 1 : 0
}

function round2(value: number): number {
  return Math.round(value * 100) / 100
}

if (args.help) console.log(readFileSync(new URL(import.meta.url), 'utf8').split('*/')[0])
else
  main().then(
    (code) => {
      process.exitCode = code
    },
    (error) => {
      console.error(error instanceof Error ? error.message : error)
      process.exitCode = 1
    },
  )
