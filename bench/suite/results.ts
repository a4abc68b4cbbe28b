/**
 * The suite's results files in bench/results/: `<YYYY-MM-DD>.json`, then `<date>-2.json` and so on
 * for later runs the same day; quick runs (`--quick`) as `quick-<date>[-n].json`, never compared
 * with full runs. Pure: callers pass the directory listing and the files' contents.
 */
import type { Engine, Figure } from './figures.ts'

export interface ResultName {
  file: string
  quick: boolean
  date: string
  /** 1 for `<date>.json`, n for `<date>-n.json`. */
  sequence: number
}

const NAME = /^(quick-)?(\d{4}-\d{2}-\d{2})(?:-(\d+))?\.json$/

export function parseResultName(file: string): ResultName | undefined {
  const match = NAME.exec(file)
  if (!match) return undefined
  const sequence = match[3] === undefined ? 1 : Number(match[3])
  if (sequence < 2 && match[3] !== undefined) return undefined // `<date>-1.json` is not a name we write
  return { file, quick: Boolean(match[1]), date: match[2]!, sequence }
}

/** The first free name for a run on `date` (YYYY-MM-DD) among `existing` file names. */
export function nextResultName(existing: string[], date: string, quick: boolean): string {
  const taken = existing
    .map(parseResultName)
    .filter((name) => name !== undefined && name.quick === quick && name.date === date)
    .map((name) => name!.sequence)
  const prefix = `${quick ? 'quick-' : ''}${date}`
  if (taken.length === 0) return `${prefix}.json`
  return `${prefix}-${Math.max(...taken) + 1}.json`
}

/** Oldest first: by date, then by sequence within a day. */
export function compareResultNames(a: ResultName, b: ResultName): number {
  return a.date === b.date ? a.sequence - b.sequence : a.date < b.date ? -1 : 1
}

/** What the suite needs from an earlier results file to compare with it. */
export interface StoredRun {
  quick: boolean
  engine: Engine
  benches: { name: string; status: string; figures: Figure[] }[]
}

/**
 * The run to compare with: the newest file before `current` of the same kind (quick or full) and
 * the same engine (an embedded run's memory and import rates say nothing about PostgreSQL's).
 * `read` returns a file's parsed content, or undefined when it cannot be read.
 */
export function pickPrevious(
  files: string[],
  current: { file: string; quick: boolean; engine: Engine },
  read: (file: string) => StoredRun | undefined,
): { file: string; run: StoredRun } | undefined {
  const now = parseResultName(current.file)
  const earlier = files
    .map(parseResultName)
    .filter((name): name is ResultName => name !== undefined && name.quick === current.quick)
    .filter((name) => !now || compareResultNames(name, now) < 0)
    .sort(compareResultNames)
    .reverse()
  for (const name of earlier) {
    const run = read(name.file)
    if (run && run.quick === current.quick && run.engine === current.engine) return { file: name.file, run }
  }
  return undefined
}

/** The figures of an earlier run's benches that ran. */
export function storedFigures(run: StoredRun): Figure[] {
  return run.benches.filter((bench) => bench.status === 'ok').flatMap((bench) => bench.figures ?? [])
}

/**
 * The JSON document a bench printed with `--json`: the whole output, or else the last part that
 * starts with a line holding only "{" and parses (an in-process logger may have written before it).
 */
export function jsonFromOutput(stdout: string): unknown {
  const text = stdout.trim()
  if (!text) return undefined
  try {
    return JSON.parse(text)
  } catch {
    // look for the report after other output
  }
  const starts = [...text.matchAll(/^\{$/gm)].map((match) => match.index)
  for (const start of starts.reverse()) {
    try {
      return JSON.parse(text.slice(start))
    } catch {
      // not this one
    }
  }
  return undefined
}

/** The last `lines` lines of `text`, at most `chars` characters: what a failed bench said last. */
export function tail(text: string, lines = 30, chars = 4000): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n').slice(-chars)
}
