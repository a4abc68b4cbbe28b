import type { AppContext } from '../../context.ts'
import type { SyncOutcome, SyncTrigger } from '../../platform/db/schema.ts'
import type { ComponentHealth } from '../../platform/health-types.ts'
import type { BreakerState } from '../../platform/resilience/breaker.ts'
import { CONNECTORS } from './registry.ts'
import { RUN_LIMIT_MS, readStates, type StateRow } from './state.ts'
import type { Connector } from './types.ts'

/**
 * What every replica reports about the connectors, from the stored state: the breaker as the
 * last run saw it (open whenever an admin forced it), the last run, the cursor. The same view
 * feeds /api/connectors, /health, /api/metrics and the Prometheus gauges.
 */

export interface LastRun {
  trigger: SyncTrigger | null
  outcome: SyncOutcome
  startedAt: string | null
  finishedAt: string | null
  message: string | null
  notes: string[]
  fetched: number
  written: number
  skipped: number
}

export interface ConnectorReport {
  name: string
  title: string
  resources: string[]
  schedule: string
  configured: boolean
  /** The variables to set while it is not configured. */
  missing: string[]
  breaker: BreakerState
  breakerSince: string | null
  forced: boolean
  forcedBy: string | null
  forcedAt: string | null
  running: boolean
  cursor: string | null
  lastRun: LastRun | null
  lastSuccessAt: string | null
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

export function isConfigured(ctx: AppContext, connector: Connector): boolean {
  return connector.settings(ctx.config) !== undefined
}

export function reportOf(ctx: AppContext, connector: Connector, row: StateRow | undefined): ConnectorReport {
  const configured = isConfigured(ctx, connector)
  const forced = row?.forced_open ?? false
  const runningSince = row?.running_since ? new Date(row.running_since).getTime() : null
  return {
    name: connector.name,
    title: connector.title,
    resources: connector.resources,
    schedule: connector.schedule,
    configured,
    missing: configured ? [] : [...(connector.variables ?? [])],
    breaker: forced ? 'open' : (row?.breaker_state ?? 'closed'),
    breakerSince: iso(forced ? (row?.forced_at ?? null) : (row?.breaker_since ?? null)),
    forced,
    forcedBy: row?.forced_by ?? null,
    forcedAt: iso(row?.forced_at ?? null),
    running: runningSince !== null && ctx.clock.ms() - runningSince < RUN_LIMIT_MS,
    cursor: row?.cursor ?? null,
    lastRun: row?.last_outcome
      ? {
          trigger: row.last_trigger,
          outcome: row.last_outcome,
          startedAt: iso(row.last_started_at),
          finishedAt: iso(row.last_finished_at),
          message: row.last_message,
          notes: row.last_notes,
          fetched: row.last_fetched,
          written: row.last_written,
          skipped: row.last_skipped,
        }
      : null,
    lastSuccessAt: iso(row?.last_success_at ?? null),
  }
}

export async function connectorReports(ctx: AppContext): Promise<ConnectorReport[]> {
  const rows = await readStates(ctx.db)
  return CONNECTORS.map((connector) => reportOf(ctx, connector, rows.get(connector.name)))
}

/**
 * The `connectors` component of /health. Connectors are optional: one that is not configured is
 * reported as such and changes nothing; an open breaker (automatic or forced) makes the
 * component degraded, never down. Public, so no error text and no names.
 */
export async function connectorsHealth(ctx: AppContext): Promise<ComponentHealth> {
  const reports = await connectorReports(ctx)
  const open = reports.filter((r) => r.configured && r.breaker !== 'closed')
  const items = Object.fromEntries(
    reports.map((r) => [
      r.name,
      {
        status: !r.configured ? 'not_configured' : r.breaker === 'closed' ? 'ok' : 'degraded',
        breaker: r.breaker,
        forced: r.forced,
        lastOutcome: r.lastRun?.outcome ?? null,
        lastSuccessAt: r.lastSuccessAt,
      },
    ]),
  )
  return {
    status: open.length > 0 ? 'degraded' : 'ok',
    required: false,
    ...(open.length > 0
      ? {
          message: open
            .map(
              (r) =>
                `${r.name}: circuit breaker ${r.forced ? 'forced open' : r.breaker === 'open' ? 'open' : 'half-open'}`,
            )
            .join('; '),
        }
      : {}),
    connectors: items,
  }
}
