import type { AppContext } from '../../context.ts'
import { type BreakerPolicy, CircuitBreaker } from '../../platform/resilience/breaker.ts'
import type { FetcherOptions, RetryPolicy } from './http.ts'
import { type ConnectorMetrics, createConnectorMetrics } from './metrics.ts'
import { ConnectorHttpError, type ConnectorName } from './types.ts'

/**
 * What each process keeps per app context: one circuit breaker per connector, the retry and
 * breaker settings (tests replace the sleep and the thresholds), the runs in progress and the
 * Prometheus metrics.
 */

/**
 * A scheduled sync makes a handful of requests, each already retried with backoff, so the
 * window is long: more than half of at least 3 requests failing within an hour opens it, and
 * after 30 minutes one trial request decides whether it closes.
 */
export const CONNECTOR_BREAKER: BreakerPolicy = {
  errorThresholdPercentage: 50,
  volumeThreshold: 3,
  windowMs: 60 * 60_000,
  resetTimeoutMs: 30 * 60_000,
}

export interface ConnectorRuntimeOptions {
  retry?: Partial<RetryPolicy>
  sleep?: FetcherOptions['sleep']
  breaker?: Partial<BreakerPolicy>
}

export interface ConnectorRuntime {
  options: ConnectorRuntimeOptions
  breakers: Map<ConnectorName, CircuitBreaker>
  /** Runs in progress in this process, aborted when it stops. */
  running: Set<AbortController>
  metrics: ConnectorMetrics
}

const runtimes = new WeakMap<AppContext, ConnectorRuntime>()

export function connectorRuntime(ctx: AppContext): ConnectorRuntime {
  let runtime = runtimes.get(ctx)
  if (!runtime) {
    runtime = { options: {}, breakers: new Map(), running: new Set(), metrics: createConnectorMetrics(ctx) }
    runtimes.set(ctx, runtime)
  }
  return runtime
}

/** A refusal of the request itself (bad credentials, bad parameters) says nothing about the service's health. */
export function countsAsFailure(error: unknown): boolean {
  if (!(error instanceof ConnectorHttpError)) return true
  return error.retryable || error.status < 400
}

export function breakerOf(ctx: AppContext, name: ConnectorName): CircuitBreaker {
  const runtime = connectorRuntime(ctx)
  let breaker = runtime.breakers.get(name)
  if (!breaker) {
    breaker = new CircuitBreaker(name, {
      policy: { ...CONNECTOR_BREAKER, ...runtime.options.breaker },
      countsAsFailure,
      now: () => ctx.clock.now(),
    })
    runtime.breakers.set(name, breaker)
  }
  return breaker
}

/** Replaces retry and breaker settings; breakers start again from closed. For tests. */
export function configureConnectors(ctx: AppContext, options: ConnectorRuntimeOptions): void {
  const runtime = connectorRuntime(ctx)
  runtime.options = { ...runtime.options, ...options }
  for (const breaker of runtime.breakers.values()) breaker.shutdown()
  runtime.breakers.clear()
}

/** Aborts runs in progress and stops the breakers' timers. */
export function stopConnectors(ctx: AppContext): void {
  const runtime = runtimes.get(ctx)
  if (!runtime) return
  for (const run of runtime.running) run.abort(new Error('the process is stopping'))
  for (const breaker of runtime.breakers.values()) breaker.shutdown()
  runtime.breakers.clear()
}
