import type pg from 'pg'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { RouteHistogram } from './route-histogram.ts'

/**
 * The Prometheus registry of one process. Each app context has its own registry so several
 * apps (tests) can live in one process.
 */
export interface Metrics {
  registry: Registry
  httpDuration: RouteHistogram
  dbDuration: Histogram<'operation' | 'outcome'>
  dbErrors: Counter<'operation'>
  watchPool(pool: pg.Pool, engine: string): void
}

export function createMetrics(labels: { version: string; env: string }): Metrics {
  const registry = new Registry()
  registry.setDefaultLabels({ app: 'sentia' })
  collectDefaultMetrics({ register: registry })

  new Gauge({
    name: 'sentia_build_info',
    help: 'Version and environment of the running build (always 1).',
    labelNames: ['version', 'env'],
    registers: [registry],
  }).set(labels, 1)

  const httpDuration = new RouteHistogram(
    'http_request_duration_seconds',
    'HTTP request duration by method, route pattern and status.',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registry,
  )
  const dbDuration = new Histogram({
    name: 'db_query_duration_seconds',
    help: 'Database statement duration by statement kind.',
    labelNames: ['operation', 'outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  })
  const dbErrors = new Counter({
    name: 'db_query_errors_total',
    help: 'Database statements that failed, by statement kind.',
    labelNames: ['operation'],
    registers: [registry],
  })

  return {
    registry,
    httpDuration,
    dbDuration,
    dbErrors,
    watchPool(pool, engine) {
      const gauge = (name: string, help: string, read: () => number) =>
        new Gauge({
          name,
          help,
          labelNames: ['engine'],
          registers: [registry],
          collect() {
            this.set({ engine }, read())
          },
        })
      gauge('db_pool_connections_total', 'Connections open in the pool.', () => pool.totalCount)
      gauge('db_pool_connections_idle', 'Idle connections in the pool.', () => pool.idleCount)
      gauge('db_pool_requests_waiting', 'Requests waiting for a pool connection.', () => pool.waitingCount)
      gauge('db_pool_connections_max', 'Largest pool size.', () => pool.options.max ?? 0)
    },
  }
}
