import type { AppContext } from '../../context.ts'
import type { SyncTrigger } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import { elapsedMs } from '../../platform/numbers.ts'
import { BreakerOpenError } from '../../platform/resilience/breaker.ts'
import { createFetcher } from './http.ts'
import { breakerOf, connectorRuntime } from './runtime.ts'
import { claimRun, finishRun, RUN_LIMIT_MS, readState, recordSkip } from './state.ts'
import { type Connector, ConnectorHttpError, type Fetcher, type SyncResult } from './types.ts'

/**
 * One sync of one connector, whoever asks for it (the schedule, an admin, the CLI): skipped
 * while it is not configured or its breaker is open; otherwise it takes the run lease, lets the
 * connector pull through the retrying fetcher behind the breaker, and records the outcome.
 */

export type SkipReason = 'not_configured' | 'forced_open' | 'breaker_open' | 'running'

export interface SyncReport {
  connector: string
  trigger: SyncTrigger
  outcome: 'ok' | 'failed' | 'skipped'
  skipReason?: SkipReason
  /** Why it failed or was skipped. */
  message?: string
  fetched: number
  written: number
  skipped: number
  cursor: string | null
  notes: string[]
  startedAt: string
  finishedAt: string
}

export interface SyncOptions {
  /** Start here instead of the stored cursor (a backfill or a replay). */
  since?: string
}

export async function runSync(
  ctx: AppContext,
  connector: Connector,
  trigger: SyncTrigger,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const runtime = connectorRuntime(ctx)
  const { name } = connector
  const started = ctx.clock.now()
  const report = (fields: Partial<SyncReport> & Pick<SyncReport, 'outcome'>): SyncReport => {
    runtime.metrics.runs.inc({ connector: name, outcome: fields.outcome })
    return {
      connector: name,
      trigger,
      fetched: 0,
      written: 0,
      skipped: 0,
      cursor: null,
      notes: [],
      startedAt: started.toISOString(),
      finishedAt: ctx.clock.now().toISOString(),
      ...fields,
    }
  }
  const skip = async (skipReason: SkipReason, message: string, record = true) => {
    const breaker = breakerOf(ctx, name)
    if (record)
      await recordSkip(ctx.db, name, trigger, started, message, {
        state: breaker.state,
        since: breaker.since,
      })
    ctx.logger.info({ connector: name, trigger, reason: skipReason }, `connector sync skipped: ${message}`)
    return report({ outcome: 'skipped', skipReason, message })
  }

  const settings = connector.settings(ctx.config)
  if (settings === undefined) return skip('not_configured', notConfiguredMessage(connector))
  const state = await readState(ctx.db, name)
  if (state?.forced_open)
    return skip('forced_open', `the circuit breaker was forced open by ${state.forced_by ?? 'an admin'}`)
  const breaker = breakerOf(ctx, name)
  // Closed elsewhere after ours opened (an admin, or another replica's run): close ours too.
  const closedSince =
    state?.breaker_state === 'closed' && state.breaker_since ? new Date(state.breaker_since) : null
  if (breaker.state === 'open' && closedSince && closedSince > breaker.since) breaker.close()
  if (breaker.state === 'open')
    return skip('breaker_open', `the circuit breaker is open since ${breaker.since.toISOString()}`)
  if (!(await claimRun(ctx.db, name, trigger, started, RUN_LIMIT_MS)))
    return skip('running', 'another sync of this connector is running', false)

  const controller = new AbortController()
  runtime.running.add(controller)
  const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(RUN_LIMIT_MS)])
  const retrying = createFetcher({
    retry: runtime.options.retry,
    sleep: runtime.options.sleep,
    signal,
    onRetry(error, attempt, delayMs) {
      runtime.metrics.retries.inc({ connector: name })
      ctx.logger.warn({ connector: name, attempt, delay_ms: Math.round(delayMs), err: error }, 'retrying')
    },
  })
  const fetch: Fetcher = (request) => breaker.run(() => retrying(request))
  const clock = performance.now()
  let result: SyncResult | undefined
  let failure: unknown
  try {
    result = await connector.sync({
      app: ctx,
      config: settings,
      fetch,
      since: options.since ?? state?.cursor ?? null,
      signal,
    })
  } catch (error) {
    failure = error
  } finally {
    runtime.running.delete(controller)
  }

  const finishedAt = ctx.clock.now()
  const message = failure === undefined ? null : failureMessage(connector, failure)
  const counts = {
    fetched: result?.fetched ?? 0,
    written: result?.written ?? 0,
    skipped: result?.skipped ?? 0,
  }
  const notes = result?.notes ?? []
  await finishRun(ctx.db, name, {
    outcome: result ? 'ok' : 'failed',
    finishedAt,
    message,
    notes,
    counts,
    // A replay from a given `since` leaves a stored cursor alone; it sets a first one.
    cursor: options.since === undefined || !state?.cursor ? (result?.cursor ?? null) : null,
    breaker: { state: breaker.state, since: breaker.since },
  })
  for (const [kind, value] of Object.entries(counts))
    runtime.metrics.records.inc({ connector: name, kind }, value)
  const log = { connector: name, trigger, ...counts, duration_ms: elapsedMs(clock) }
  if (!result) {
    ctx.logger.warn({ ...log, err: failure }, `connector sync failed: ${message}`)
    return report({ outcome: 'failed', message: message ?? undefined, ...counts, notes })
  }
  ctx.logger.info(log, 'connector sync done')
  return report({ outcome: 'ok', ...counts, cursor: result.cursor, notes })
}

export function notConfiguredMessage(connector: Connector): string {
  const missing = connector.variables?.length ? `: set ${connector.variables.join(', ')}` : ''
  return `${connector.title} is not configured${missing}`
}

/** One line an operator can act on. */
export function failureMessage(connector: Connector, error: unknown): string {
  if (error instanceof ConnectorHttpError && (error.status === 401 || error.status === 403)) {
    const check = connector.variables?.length
      ? `check ${connector.variables.join(', ')}`
      : 'check its credentials'
    return `${connector.title} refused the credentials (${error.status}); ${check}. ${error.message}`
  }
  if (error instanceof BreakerOpenError) return `${error.message}; the run stopped`
  if (error instanceof AppError) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}
