import { errorMessageOf, type HttpAnswer, httpRequest, UnreachableError } from '../cli/http.ts'
import type { Target } from './target.ts'

/** One line of a verification report. */
export interface CheckResult {
  name: string
  outcome: 'passed' | 'failed' | 'not run'
  /** HTTP status of the check's last request; null when nothing answered or nothing was sent. */
  status: number | null
  /** Milliseconds spent in the check's requests (null when none was sent). */
  ms: number | null
  /** Why it failed or did not run. */
  reason?: string
  /** What was seen (component states, figures, ids). */
  detail?: string
}

export interface VerifyReport {
  command: string
  target: string
  /** Where the target came from: --url, BASE_URL or PRODUCTION_URL. */
  targetFrom: string
  /** Who the checks acted as, when they needed credentials. */
  actingAs?: string
  ok: boolean
  passed: number
  failed: number
  notRun: number
  checks: CheckResult[]
}

/** Thrown inside a check to fail it with a reason; the runner records it and goes on. */
export class CheckFailed extends Error {}

export function fail(reason: string): never {
  throw new CheckFailed(reason)
}

export interface CallOptions {
  method?: string
  apiKey?: string
  headers?: Record<string, string>
  body?: unknown
}

/** What a check's body gets: requests against the target, timed and recorded on the check. */
export interface CheckScope {
  call(path: string, options?: CallOptions): Promise<HttpAnswer>
  /** A call that must answer `expected`, else the check fails naming the status and the server's message. */
  expect(path: string, expected: number, options?: CallOptions): Promise<HttpAnswer>
}

/**
 * Runs checks one after another against one target and keeps their results in order. A check
 * passes when its body returns (its return value is the line's detail) and fails when it throws;
 * a request that gets no answer within the timeout fails it too.
 */
export class CheckRunner {
  readonly results: CheckResult[] = []

  constructor(
    readonly target: Target,
    readonly timeoutMs: number,
  ) {}

  /** Runs one check and records it; its result (status null on a failure: nothing answered). */
  async run(name: string, body: (scope: CheckScope) => Promise<string | undefined>): Promise<CheckResult> {
    const result: CheckResult = { name, outcome: 'passed', status: null, ms: null }
    const call = async (path: string, options: CallOptions = {}) => {
      const answer = await httpRequest(new URL(path, this.target.url), {
        ...options,
        timeoutMs: this.timeoutMs,
      })
      result.status = answer.status
      result.ms = (result.ms ?? 0) + answer.ms
      return answer
    }
    const scope: CheckScope = {
      call,
      async expect(path, expected, options) {
        const answer = await call(path, options)
        if (answer.status !== expected) {
          const message = errorMessageOf(answer.body)
          fail(`expected HTTP ${expected}, got ${answer.status}${message ? ` (${message})` : ''}`)
        }
        return answer
      },
    }
    try {
      const detail = await body(scope)
      if (detail) result.detail = detail
    } catch (error) {
      result.outcome = 'failed'
      if (error instanceof CheckFailed) result.reason = error.message
      else if (error instanceof UnreachableError) result.reason = `no answer: ${error.reason}`
      else result.reason = `unexpected error: ${(error as Error).message}`
    }
    this.results.push(result)
    return result
  }

  /** A check that needs something it does not have (credentials, an earlier step): failed without a request. */
  failed(name: string, reason: string): void {
    this.results.push({ name, outcome: 'failed', status: null, ms: null, reason })
  }

  /** A check left out because an earlier one it depends on failed. */
  notRun(name: string, reason: string): void {
    this.results.push({ name, outcome: 'not run', status: null, ms: null, reason })
  }

  report(command: string, actingAs?: string): VerifyReport {
    const count = (outcome: CheckResult['outcome']) =>
      this.results.filter((r) => r.outcome === outcome).length
    const passed = count('passed')
    return {
      command,
      target: this.target.url,
      targetFrom: this.target.from,
      ...(actingAs ? { actingAs } : {}),
      ok: passed === this.results.length && passed > 0,
      passed,
      failed: count('failed'),
      notRun: count('not run'),
      checks: this.results,
    }
  }
}

const MARK: Record<CheckResult['outcome'], string> = { passed: '✓', failed: '✗', 'not run': '–' }

/** The report for a person: a heading, one line per check (mark, name, status, time, reason or detail), a summary. */
export function formatReport(report: VerifyReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 10)
  const lines = [
    `${report.command} against ${report.target} (from ${report.targetFrom})` +
      (report.actingAs ? ` as ${report.actingAs}` : ''),
    '',
  ]
  for (const check of report.checks) {
    const status = check.status === null ? '---' : String(check.status)
    const ms = check.ms === null ? '' : `${check.ms} ms`
    const note = check.outcome === 'passed' ? (check.detail ?? '') : (check.reason ?? '')
    lines.push(
      `${MARK[check.outcome]} ${check.name.padEnd(width)}  ${status}  ${ms.padStart(8)}  ${note}`.trimEnd(),
    )
  }
  const total = report.checks.length
  lines.push(
    '',
    report.ok
      ? `all ${total} checks passed`
      : `${report.failed} of ${total} checks failed` +
          (report.notRun > 0 ? `, ${report.notRun} not run` : '') +
          `, ${report.passed} passed`,
  )
  return lines.join('\n')
}
