import type { AppContext } from '../../context.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { syncJobs } from './jobs.ts'
import { connectorNames, findConnector } from './registry.ts'
import { type ConnectorReport, connectorReports, isConfigured, reportOf } from './report.ts'
import { breakerOf } from './runtime.ts'
import { readState, setForcedOpen } from './state.ts'
import { notConfiguredMessage } from './sync.ts'
import type { Connector } from './types.ts'

/** What the routes and the CLI do with connectors: look, queue a sync, force the breaker. */

/** Carries an admin's breaker change to every replica. */
export const BREAKER_CHANNEL = 'connectors.breaker'

export function connectorNamed(name: string): Connector {
  const connector = findConnector(name)
  if (!connector) throw notFound(`No connector ${name}; there are ${connectorNames().join(', ')}`)
  return connector
}

export const listConnectors = (ctx: AppContext): Promise<ConnectorReport[]> => connectorReports(ctx)

export async function getConnector(ctx: AppContext, name: string): Promise<ConnectorReport> {
  const connector = connectorNamed(name)
  return reportOf(ctx, connector, await readState(ctx.db, connector.name))
}

/** Queues a sync for a worker now; refused at once when it could only be skipped. */
export async function queueSync(
  ctx: AppContext,
  name: string,
  since: string | undefined,
): Promise<{ connector: string; jobId: string }> {
  const connector = connectorNamed(name)
  if (!isConfigured(ctx, connector))
    throw new AppError(409, 'NOT_CONFIGURED', notConfiguredMessage(connector))
  const state = await readState(ctx.db, connector.name)
  if (state?.forced_open)
    throw new AppError(
      409,
      'BREAKER_FORCED_OPEN',
      `The circuit breaker of ${connector.name} was forced open by ${state.forced_by ?? 'an admin'}; close it first`,
    )
  const jobId = await ctx.jobs.send(syncJobs.get(connector.name)!, {
    trigger: 'manual',
    ...(since ? { since: new Date(since).toISOString() } : {}),
  })
  if (!jobId) throw new AppError(409, 'SYNC_QUEUED', `A sync of ${connector.name} is queued already`)
  return { connector: connector.name, jobId }
}

/**
 * Forces a connector's breaker open (every replica skips its syncs until it is closed) or
 * closes it (also a breaker that opened by itself), audited in the same transaction.
 */
export async function setBreaker(
  ctx: AppContext,
  name: string,
  state: 'open' | 'closed',
  actor: Actor,
  request?: RequestFacts,
): Promise<ConnectorReport> {
  const connector = connectorNamed(name)
  const before = reportOf(ctx, connector, await readState(ctx.db, connector.name))
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    await setForcedOpen(tx, connector.name, state === 'open', actorLabel(actor), now)
    await recordAudit(tx, {
      actor,
      action: 'connector_breaker',
      target: { type: 'connector', id: connector.name },
      request,
      oldValues: { breaker: before.breaker, forced: before.forced },
      newValues: { breaker: state, forced: state === 'open' },
    })
  })
  if (state === 'closed') breakerOf(ctx, connector.name).close()
  await ctx.bus
    .publish(BREAKER_CHANNEL, { name: connector.name, state })
    .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not announce a breaker change'))
  return getConnector(ctx, connector.name)
}

/** Every replica closes its own breaker when an admin closes it. */
export function watchBreakerChanges(ctx: AppContext): () => void {
  return ctx.bus.subscribe(BREAKER_CHANNEL, (message) => {
    const { name, state } = (message ?? {}) as { name?: unknown; state?: unknown }
    const connector = typeof name === 'string' ? findConnector(name) : undefined
    if (connector && state === 'closed') breakerOf(ctx, connector.name).close()
  })
}
