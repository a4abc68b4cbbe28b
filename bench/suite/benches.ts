/**
 * The benches `npm run bench` runs, in order, with their arguments for a full and a quick run.
 * Each runs as its own process with `--json`; see bench/README.md for what each measures.
 */
import { existsSync } from 'node:fs'

export interface BenchPlan {
  name: string
  script: string
  /** Arguments of a full run (besides --json): the bench's own defaults unless noted. */
  full: string[]
  /** Small scales and durations: the whole quick suite takes minutes. */
  quick: string[]
  /** The bench accepts --tsx (run the app through tsx instead of building it). */
  tsx: boolean
  /** Extra environment for the quick run. */
  quickEnv?: Record<string, string>
  /** Why it cannot run here, or undefined when it can. */
  unavailable(env: NodeJS.ProcessEnv): string | undefined
  /** The suite kills the bench (and the app it started) after this long; the benches' own watchdogs fire first. */
  timeoutMinutes: { full: number; quick: number }
}

const needsPostgres = (env: NodeJS.ProcessEnv) =>
  env.DATABASE_URL?.startsWith('postgres') ? undefined : 'needs DATABASE_URL (PostgreSQL)'

export const BENCHES: BenchPlan[] = [
  {
    name: 'http',
    script: 'bench/http.ts',
    full: [],
    quick: ['--duration', '3', '--idle-wait', '2'],
    tsx: true,
    // The platform alone: the first start's demo load takes 15–30 s.
    quickEnv: { DEMO_DATA: 'false' },
    unavailable: () => undefined,
    timeoutMinutes: { full: 10, quick: 5 },
  },
  {
    name: 'sse',
    script: 'bench/sse.ts',
    full: [],
    quick: ['--events', '2', '--load-seconds', '3', '--idle-wait', '2', '--after-wait', '3', '--days', '7'],
    tsx: true,
    unavailable: () => undefined,
    timeoutMinutes: { full: 20, quick: 6 },
  },
  {
    name: 'import',
    script: 'bench/import.ts',
    full: [],
    quick: ['--rows', '10000'],
    tsx: false,
    unavailable: () => undefined,
    timeoutMinutes: { full: 30, quick: 5 },
  },
  {
    name: 'business',
    script: 'bench/business.ts',
    full: [],
    quick: [
      '--small-scale',
      '1',
      '--large-scale',
      '2',
      '--duration',
      '3',
      '--clients',
      '5',
      '--intake-clients',
      '10',
    ],
    tsx: true,
    unavailable: needsPostgres,
    timeoutMinutes: { full: 65, quick: 10 },
  },
  {
    name: 'alerting',
    script: 'bench/alerting.ts',
    full: [],
    quick: ['--trials', '1', '--rules', '50'],
    tsx: true,
    unavailable: needsPostgres,
    timeoutMinutes: { full: 25, quick: 6 },
  },
  {
    name: 'backup',
    script: 'bench/backup.ts',
    full: [],
    // One fill statement (250,000 orders, about 170 MB): the smallest database the bench makes.
    quick: ['--size-gb', '0.02'],
    tsx: false,
    unavailable: needsPostgres,
    timeoutMinutes: { full: 95, quick: 10 },
  },
  {
    name: 'web',
    script: 'bench/web.ts',
    full: [],
    quick: ['--rounds', '1'],
    tsx: false,
    unavailable: (env) => {
      const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium'
      return existsSync(chromium)
        ? undefined
        : `needs Chromium at ${chromium} (apt-get install chromium, or CHROMIUM_PATH)`
    },
    timeoutMinutes: { full: 15, quick: 6 },
  },
]

/** The benches to run: all, or those of --only, minus those of --skip; unknown names are an error. */
export function selectBenches(only: string | undefined, skip: string | undefined): BenchPlan[] {
  const names = (list: string | undefined) =>
    (list ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
  const known = new Set(BENCHES.map((bench) => bench.name))
  const unknown = [...names(only), ...names(skip)].filter((name) => !known.has(name))
  if (unknown.length > 0)
    throw new Error(`unknown bench ${unknown.join(', ')}; the benches are ${[...known].join(', ')}`)
  const wanted = names(only)
  const skipped = new Set(names(skip))
  return BENCHES.filter(
    (bench) => (wanted.length === 0 || wanted.includes(bench.name)) && !skipped.has(bench.name),
  )
}
