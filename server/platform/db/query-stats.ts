import { round } from '../numbers.ts'

/**
 * In-memory timing of every SQL statement the process runs, grouped by a normalized
 * fingerprint (literals and parameters replaced by `?`). Feeds /api/metrics/slow-queries.
 */

export interface QueryStat {
  fingerprint: string
  calls: number
  errors: number
  totalMs: number
  meanMs: number
  maxMs: number
}

const MAX_FINGERPRINT_LENGTH = 2000

export function fingerprint(sql: string): string {
  const normalized = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?, ...)')
    .replace(/\(\?, \.\.\.\)(?:\s*,\s*\(\?, \.\.\.\))+/g, '(?, ...), ...')
    .trim()
  return normalized.length > MAX_FINGERPRINT_LENGTH
    ? `${normalized.slice(0, MAX_FINGERPRINT_LENGTH)}…`
    : normalized
}

/** The statement's first keyword, used as a low-cardinality metric label. */
export function operation(sql: string): string {
  const match = /^\s*(?:\/\*[\s\S]*?\*\/\s*)*([a-z]+)/i.exec(sql)
  return match?.[1]?.toUpperCase() ?? 'OTHER'
}

interface Entry {
  calls: number
  errors: number
  totalMs: number
  maxMs: number
}

export class QueryStats {
  readonly #entries = new Map<string, Entry>()
  /** Statement text → fingerprint: parameterized statements repeat their text, and normalizing is not free. */
  readonly #fingerprints = new Map<string, string>()

  constructor(private readonly maxEntries = 1000) {}

  record(sql: string, durationMs: number, failed: boolean): void {
    let key = this.#fingerprints.get(sql)
    if (key === undefined) {
      if (this.#fingerprints.size >= this.maxEntries) this.#fingerprints.clear()
      key = fingerprint(sql)
      this.#fingerprints.set(sql, key)
    }
    let entry = this.#entries.get(key)
    if (!entry) {
      if (this.#entries.size >= this.maxEntries) this.#evictRarest()
      entry = { calls: 0, errors: 0, totalMs: 0, maxMs: 0 }
      this.#entries.set(key, entry)
    }
    entry.calls += 1
    entry.totalMs += durationMs
    if (failed) entry.errors += 1
    if (durationMs > entry.maxMs) entry.maxMs = durationMs
  }

  /** Statements ordered by mean time, slowest first. */
  slowest(limit: number): QueryStat[] {
    return [...this.#entries]
      .map(([key, entry]) => ({
        fingerprint: key,
        calls: entry.calls,
        errors: entry.errors,
        totalMs: round(entry.totalMs, 3),
        meanMs: round(entry.totalMs / entry.calls, 3),
        maxMs: round(entry.maxMs, 3),
      }))
      .sort((a, b) => b.meanMs - a.meanMs)
      .slice(0, limit)
  }

  get size(): number {
    return this.#entries.size
  }

  #evictRarest(): void {
    let rarest: string | undefined
    let fewest = Number.POSITIVE_INFINITY
    for (const [key, entry] of this.#entries) {
      if (entry.calls < fewest) {
        fewest = entry.calls
        rarest = key
      }
    }
    if (rarest !== undefined) this.#entries.delete(rarest)
  }
}
