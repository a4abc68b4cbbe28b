import {
  BAD_AUTHORIZATION,
  BAD_COOKIES,
  HOSTILE_PATH_PARAMS,
  HOSTILE_QUERIES,
  HOSTILE_STRINGS,
  HUGE_STRINGS,
} from './payloads.ts'

/**
 * What every answer must satisfy, whatever was sent: no 5xx (but for the exceptions below), the
 * error shape on every 4xx, and nothing internal in any body.
 */
export interface Outcome {
  method: string
  status: number
  contentType: string
  body: string
}

/**
 * Routes whose documented purpose is to say that this instance cannot serve: a load balancer
 * reads their 503. Only these may answer 5xx, and only with their report (never the error
 * handler's INTERNAL). HEAD mirrors GET.
 */
export const MAY_ANSWER_503: ReadonlyMap<string, string> = new Map([
  ['GET /health', 'a required component (database, job queue) is down'],
  ['HEAD /health', 'a required component (database, job queue) is down'],
  ['GET /health/ready', 'not started, stopping, or the database is unreachable'],
  ['HEAD /health/ready', 'not started, stopping, or the database is unreachable'],
])

/**
 * Routes whose successful answers show internal errors by design: the error tracker (operators
 * only) lists the recorded errors with their messages and latest stack.
 */
export const SHOWS_INTERNAL_ERRORS: ReadonlySet<string> = new Set(['GET /api/errors', 'GET /api/errors/:id'])

/** A stack frame or a dependency path: internals of the server. */
const STACK = [/\n\s+at .+\(.*:\d+:\d+\)/, /node_modules/]

/** Text of a database error. */
const DATABASE_ERROR = [
  /syntax error at or near/i,
  /relation "/,
  /violates/,
  /duplicate key/,
  /invalid input syntax/,
  /out of range for type/,
  /current transaction is aborted/,
]

/** SQL and engine names, which an error answer must not carry (diagnostic pages show them by design). */
const SQL_TEXT = [/\bSELECT /, /INSERT INTO/, /\bpg_/, /PGlite/]

/** The fuzzer's own strings: an answer that quotes them back (a stored name, a refused value) leaks nothing. */
const ECHOES = [
  ...HOSTILE_STRINGS,
  ...HUGE_STRINGS,
  ...BAD_AUTHORIZATION,
  ...BAD_COOKIES,
  ...HOSTILE_QUERIES,
  ...HOSTILE_PATH_PARAMS,
]
  .flatMap((s) => [s, JSON.stringify(s).slice(1, -1), safeDecode(s)])
  .filter((s) => s.length >= 4)
  .sort((a, b) => b.length - a.length)

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function withoutEchoes(body: string): string {
  let result = body
  for (const echo of ECHOES) if (result.includes(echo)) result = result.replaceAll(echo, '')
  return result
}

function leaks(body: string, patterns: RegExp[]): RegExp | undefined {
  if (!patterns.some((p) => p.test(body))) return undefined
  const cleaned = withoutEchoes(body)
  return patterns.find((p) => p.test(cleaned))
}

/** The problems with one answer of route `key`; empty when it is fine. */
export function problemsOf(key: string, outcome: Outcome): string[] {
  const problems: string[] = []
  const { status, body, method } = outcome
  if (status >= 500) {
    const allowed = status === 503 && MAY_ANSWER_503.has(key) && !body.includes('"INTERNAL"')
    if (!allowed) problems.push(`status ${status}`)
  }
  if (status >= 400 && method !== 'HEAD') {
    const shapeProblem = errorShapeProblem(body)
    if (shapeProblem) problems.push(`${status} without the error shape (${shapeProblem})`)
  }
  if (status < 400 && SHOWS_INTERNAL_ERRORS.has(key)) return problems
  const patterns = status >= 400 ? [...STACK, ...DATABASE_ERROR, ...SQL_TEXT] : [...STACK, ...DATABASE_ERROR]
  const leaked = leaks(body, patterns)
  if (leaked) problems.push(`the body matches ${leaked}: ${excerpt(body, leaked)}`)
  return problems
}

function errorShapeProblem(body: string): string | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return 'not JSON'
  }
  const error = (parsed as { error?: Record<string, unknown> } | null)?.error
  if (!error || typeof error !== 'object') return 'no error object'
  if (typeof error.code !== 'string' || error.code === '') return 'no error.code'
  if (typeof error.message !== 'string') return 'no error.message'
  const extra = Object.keys(parsed as object).filter((k) => k !== 'error')
  if (extra.length > 0) return `extra top-level keys ${extra.join(', ')}`
  return undefined
}

function excerpt(body: string, pattern: RegExp): string {
  const at = body.search(pattern)
  return JSON.stringify(body.slice(Math.max(0, at - 80), at + 120))
}
