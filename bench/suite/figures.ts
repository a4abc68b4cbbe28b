/**
 * Headline figures: a few numbers per bench, taken from its `--json` output, each with the goal
 * bench/README.md sets for it. Pure: no I/O, so test/bench-run.test.ts can check it.
 */
import { quantile } from '../lib.ts'

export type Engine = 'pglite' | 'postgres'

export interface Goal {
  op: '>=' | '<='
  value: number
}

export interface Figure {
  bench: string
  name: string
  value: number
  unit: string
  better: 'higher' | 'lower'
  goal?: Goal
  pass?: boolean
  /** What the figure was measured on (data size, engine), when a name alone would not say. */
  detail?: string
}

/**
 * The goals, copied from the goal tables in bench/README.md (sections "Goals" of each bench); change
 * them there first. The SSE goal is the suite's own: every client receives the event within 1 s.
 */
export const GOALS = {
  liveVsBarePercent: { op: '>=', value: 85 },
  healthVsBarePercent: { op: '>=', value: 60 },
  idleRssMb: { pglite: { op: '<=', value: 400 }, postgres: { op: '<=', value: 150 } },
  overviewVsNaiveLarge: { op: '<=', value: 1 / 50 },
  overviewGrowth: { op: '<=', value: 1.5 },
  intakePerSecond: { op: '>=', value: 1000 },
  importRowsPerSecond: { op: '>=', value: 20_000 },
  // "breach → delivery ≤ evaluation interval + 2 s" and "resolved within one interval", interval 10 s
  alertDeliveryMs: { op: '<=', value: 12_000 },
  alertResolvedMs: { op: '<=', value: 12_000 },
  alertCycleMs: { op: '<=', value: 1000 },
  backupVsPgDump: { op: '<=', value: 1.2 },
  restoreVsPgRestore: { op: '<=', value: 1.2 },
  drillRtoSeconds: { op: '<=', value: 300 },
  initialJsGzipKb: { op: '<=', value: 200 },
  overviewColdMs: { op: '<=', value: 1500 },
  sseClientsWithin1s: { op: '>=', value: 1000 },
} as const satisfies Record<string, Goal | Record<Engine, Goal>>

export function meets(value: number, goal: Goal): boolean {
  return goal.op === '>=' ? value >= goal.value : value <= goal.value
}

/** Reads `path` (dot-separated, numeric parts index arrays) from parsed JSON; undefined unless a finite number. */
export function numberAt(raw: unknown, path: string): number | undefined {
  let at: unknown = raw
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined
    at = (at as Record<string, unknown>)[part]
  }
  return typeof at === 'number' && Number.isFinite(at) ? at : undefined
}

function arrayAt(raw: unknown, path: string): unknown[] {
  let at: unknown = raw
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return []
    at = (at as Record<string, unknown>)[part]
  }
  return Array.isArray(at) ? at : []
}

/** Four significant digits: enough for any comparison, short enough to read in the JSON. */
const tidy = (value: number) => Number(value.toPrecision(4))

/** A figure before its bench and verdict are added; one whose value is missing is left out. */
type Draft = Omit<Figure, 'bench' | 'pass' | 'value'> & { value: number | undefined }

const scaled = (value: number | undefined, factor: number) =>
  value === undefined ? undefined : value * factor

function figure(bench: string, draft: Draft): Figure | undefined {
  if (draft.value === undefined || !Number.isFinite(draft.value)) return undefined
  const value = tidy(draft.value)
  return { bench, ...draft, value, ...(draft.goal ? { pass: meets(value, draft.goal) } : {}) }
}

const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b

const MB = 1024 * 1024

function http(raw: unknown, engine: Engine): Draft[] {
  const summary = arrayAt(raw, 'summary') as { name?: string; requestsPerSecond?: number }[]
  const rate = (name: string) => summary.find((run) => run.name === name)?.requestsPerSecond
  const bare = rate('bare fastify GET /')
  const live = ratio(rate('app GET /health/live'), bare)
  const health = ratio(rate('app GET /health'), bare)
  const idle = numberAt(raw, 'memory.idle.rssBytes')
  const measuredOn = raw && typeof raw === 'object' && 'engine' in raw ? String(raw.engine) : engine
  // The bench flags a run during which other processes used more than 0.25 cores.
  const disturbed = arrayAt(raw, 'problems').some((problem) => String(problem).includes('disturbed'))
  const detail = disturbed ? 'disturbed: other processes were busy' : undefined
  return [
    {
      name: '/health/live ÷ bare',
      value: scaled(live, 100),
      unit: '%',
      better: 'higher',
      goal: GOALS.liveVsBarePercent,
      detail,
    },
    {
      name: '/health ÷ bare',
      value: scaled(health, 100),
      unit: '%',
      better: 'higher',
      goal: GOALS.healthVsBarePercent,
      detail,
    },
    {
      name: 'idle RSS',
      value: scaled(idle, 1 / MB),
      unit: 'MB',
      better: 'lower',
      goal: GOALS.idleRssMb[measuredOn === 'postgres' ? 'postgres' : 'pglite'],
      detail: measuredOn,
    },
  ]
}

function business(raw: unknown): Draft[] {
  const p95 = (size: number, what: 'overview' | 'naive') => numberAt(raw, `sizes.${size}.${what}.p95Ms`)
  const orders = (size: number) => numberAt(raw, `sizes.${size}.orders`)?.toLocaleString('en-GB')
  const vsNaive = (size: number) => ratio(p95(size, 'overview'), p95(size, 'naive'))
  const small = vsNaive(0)
  const large = vsNaive(1)
  const growth = ratio(p95(1, 'overview'), p95(0, 'overview'))
  const intake = numberAt(raw, 'intake.perSecond')
  return [
    {
      name: 'KPI overview ÷ naive (p95), small DB',
      value: small,
      unit: '×',
      better: 'lower',
      detail: `${orders(0)} orders`,
    },
    {
      name: 'KPI overview ÷ naive (p95), large DB',
      value: large,
      unit: '×',
      better: 'lower',
      goal: GOALS.overviewVsNaiveLarge,
      detail: `${orders(1)} orders`,
    },
    {
      name: 'KPI overview p95 growth, small → large DB',
      value: growth,
      unit: '×',
      better: 'lower',
      goal: GOALS.overviewGrowth,
    },
    {
      name: 'order intake',
      value: intake,
      unit: 'orders/s',
      better: 'higher',
      goal: GOALS.intakePerSecond,
    },
  ]
}

function csvImport(raw: unknown): Draft[] {
  const rate = numberAt(raw, 'importRowsPerSecond')
  const vsCopy = numberAt(raw, 'ratioToCopy')
  const detail = `${numberAt(raw, 'rows')?.toLocaleString('en-GB')} rows`
  return [
    {
      name: 'CSV import',
      value: rate,
      unit: 'rows/s',
      better: 'higher',
      goal: GOALS.importRowsPerSecond,
      detail,
    },
    { name: 'CSV import ÷ plain COPY', value: scaled(vsCopy, 100), unit: '%', better: 'higher', detail },
  ]
}

function alerting(raw: unknown): Draft[] {
  const trials = arrayAt(raw, 'trials')
  const p95 = (field: string) => {
    const values = trials.map((trial) => numberAt(trial, field)).filter((v) => v !== undefined)
    return values.length > 0 ? quantile(values, 0.95) : undefined
  }
  const delivery = p95('breachToDeliveryMs')
  const resolved = p95('clearToResolvedMs')
  const cycles = arrayAt(raw, 'cycles').map((cycle) => numberAt(cycle, 'durationMs') ?? Number.NaN)
  const slowest = cycles.length > 0 ? Math.max(...cycles) : undefined
  const detail = `${trials.length} trials`
  return [
    {
      name: 'alert breach-to-delivery p95',
      value: delivery,
      unit: 'ms',
      better: 'lower',
      goal: GOALS.alertDeliveryMs,
      detail,
    },
    {
      name: 'alert clear-to-resolved p95',
      value: resolved,
      unit: 'ms',
      better: 'lower',
      goal: GOALS.alertResolvedMs,
      detail,
    },
    {
      name: 'alert rules, slowest evaluation cycle',
      value: slowest,
      unit: 'ms',
      better: 'lower',
      goal: GOALS.alertCycleMs,
    },
  ]
}

function backup(raw: unknown): Draft[] {
  const backupRatio = numberAt(raw, 'medians.backupRatio')
  const restoreRatio = numberAt(raw, 'medians.restoreRatio')
  const rto = numberAt(raw, 'drill.rtoSeconds')
  const bytes = numberAt(raw, 'database.bytes')
  const detail =
    bytes === undefined ? undefined : `${Math.round(bytes / MB).toLocaleString('en-GB')} MB database`
  return [
    {
      name: 'backup ÷ pg_dump',
      value: backupRatio,
      unit: '×',
      better: 'lower',
      goal: GOALS.backupVsPgDump,
      detail,
    },
    {
      name: 'restore ÷ pg_restore',
      value: restoreRatio,
      unit: '×',
      better: 'lower',
      goal: GOALS.restoreVsPgRestore,
      detail,
    },
    { name: 'drill RTO', value: rto, unit: 's', better: 'lower', goal: GOALS.drillRtoSeconds, detail },
  ]
}

function web(raw: unknown): Draft[] {
  const js = numberAt(raw, 'initialJs.gzipKb')
  const cold = numberAt(raw, 'overview.coldMedianMs')
  return [
    { name: 'initial JS (gzip)', value: js, unit: 'KB', better: 'lower', goal: GOALS.initialJsGzipKb },
    {
      name: 'overview cold load (median)',
      value: cold,
      unit: 'ms',
      better: 'lower',
      goal: GOALS.overviewColdMs,
    },
  ]
}

function sse(raw: unknown): Draft[] {
  const within = numberAt(raw, 'fanOut.worst.withinGoal')
  const p95 = numberAt(raw, 'fanOut.worst.p95Ms')
  const clients = numberAt(raw, 'clients')
  const memory = (field: string) => numberAt(raw, `memory.${field}`)
  const idle = memory('idleRssMb')
  const peak = memory('peakRssUnderLoadMb')
  const after = memory('afterLoadRssMb')
  const engine = raw && typeof raw === 'object' && 'engine' in raw ? String(raw.engine) : undefined
  return [
    {
      name: 'SSE fan-out: clients within 1 s',
      value: within,
      unit: 'clients',
      better: 'higher',
      goal: GOALS.sseClientsWithin1s,
      detail: `worst event, of ${clients}`,
    },
    { name: 'SSE fan-out p95', value: p95, unit: 'ms', better: 'lower', detail: 'worst event' },
    { name: 'memory: idle RSS', value: idle, unit: 'MB', better: 'lower', detail: engine },
    { name: 'memory: peak RSS under load', value: peak, unit: 'MB', better: 'lower', detail: engine },
    {
      name: 'memory: RSS after load',
      value: after,
      unit: 'MB',
      better: 'lower',
      detail: `${memory('afterWaitSeconds')} s after`,
    },
  ]
}

const EXTRACTORS: Record<string, (raw: unknown, engine: Engine) => Draft[]> = {
  http,
  sse,
  import: csvImport,
  business,
  alerting,
  backup,
  web,
}

/** The headline figures of one bench's raw JSON; figures whose inputs are missing are left out. */
export function headlineFigures(bench: string, raw: unknown, engine: Engine): Figure[] {
  const drafts = EXTRACTORS[bench]?.(raw, engine) ?? []
  return drafts.map((draft) => figure(bench, draft)).filter((f): f is Figure => f !== undefined)
}
