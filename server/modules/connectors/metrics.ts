import { Counter, Gauge } from 'prom-client'
import type { AppContext } from '../../context.ts'
import { type ConnectorReport, connectorReports } from './report.ts'

/**
 * Prometheus metrics of the connectors. The gauges are read from the stored state at scrape
 * time, so every replica reports the same; the counters count this process's runs.
 */
export interface ConnectorMetrics {
  runs: Counter<'connector' | 'outcome'>
  records: Counter<'connector' | 'kind'>
  retries: Counter<'connector'>
}

/** connector_breaker_state values. */
export const BREAKER_GAUGE = { closed: 0, halfOpen: 1, open: 2 } as const

const byRegistry = new WeakMap<object, ConnectorMetrics>()

/** The connector metrics on the context's registry; contexts that share a registry share them. */
export function createConnectorMetrics(ctx: AppContext): ConnectorMetrics {
  const existing = byRegistry.get(ctx.metrics.registry)
  if (existing) return existing
  const created = registerConnectorMetrics(ctx)
  byRegistry.set(ctx.metrics.registry, created)
  return created
}

function registerConnectorMetrics(ctx: AppContext): ConnectorMetrics {
  const registers = [ctx.metrics.registry]
  // The gauges of one scrape share one read; a failed read keeps their last values.
  let reading: Promise<ConnectorReport[] | null> | null = null
  const reports = () => {
    reading ??= connectorReports(ctx)
      .catch((error: unknown) => {
        ctx.logger.warn({ err: error }, 'could not read connector state for metrics')
        return null
      })
      .finally(() => {
        reading = null
      })
    return reading
  }
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    set: (gauge: Gauge, report: ConnectorReport) => void,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const current = await reports()
        if (!current) return
        this.reset()
        for (const report of current) set(this, report)
      },
    })

  gauge(
    'connector_breaker_state',
    'Circuit breaker of each connector: 0 closed, 1 half-open, 2 open (automatic, or forced by an admin).',
    ['connector', 'forced'],
    (g, r) => g.set({ connector: r.name, forced: String(r.forced) }, BREAKER_GAUGE[r.breaker]),
  )
  gauge(
    'connector_configured',
    'Whether each connector is configured (1) or not (0).',
    ['connector'],
    (g, r) => g.set({ connector: r.name }, r.configured ? 1 : 0),
  )
  gauge(
    'connector_last_success_timestamp_seconds',
    'When each connector last finished a sync successfully (Unix time; absent before the first).',
    ['connector'],
    (g, r) => {
      if (r.lastSuccessAt) g.set({ connector: r.name }, Date.parse(r.lastSuccessAt) / 1000)
    },
  )

  return {
    runs: new Counter({
      name: 'connector_sync_runs_total',
      help: 'Connector syncs run by this process, by outcome (ok, failed, skipped).',
      labelNames: ['connector', 'outcome'],
      registers,
    }),
    records: new Counter({
      name: 'connector_records_total',
      help: 'Records connectors read (fetched), booked (written) and left alone (skipped), in this process.',
      labelNames: ['connector', 'kind'],
      registers,
    }),
    retries: new Counter({
      name: 'connector_request_retries_total',
      help: 'Requests to outside services that were retried (429, 5xx, no answer), in this process.',
      labelNames: ['connector'],
      registers,
    }),
  }
}
