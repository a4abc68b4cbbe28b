import type { AppContext } from '../../context.ts'
import { defineJob, type JobDefinition } from '../../platform/jobs/jobs.ts'
import { CONNECTORS } from './registry.ts'
import { RUN_LIMIT_MS } from './state.ts'
import { runSync } from './sync.ts'
import type { Connector } from './types.ts'

/** What a queued sync carries; the schedule sends nothing. */
export interface SyncJobData {
  trigger?: 'manual'
  since?: string
}

/**
 * One queue per connector, `connectors.<name>.sync`, on the connector's schedule and taken by
 * one worker at a time. A failed sync is recorded and not retried by the queue (each request
 * was retried already; the next scheduled run tries again).
 */
export function syncJob(connector: Connector): JobDefinition<SyncJobData> {
  return defineJob<SyncJobData>({
    name: `connectors.${connector.name}.sync`,
    description: `Pulls ${connector.resources.join(' and ')} from ${connector.title}.`,
    schedule: connector.schedule,
    singleton: true,
    retryLimit: 0,
    expireInSeconds: RUN_LIMIT_MS / 1000,
    async handler(data: SyncJobData | null, ctx: AppContext) {
      await runSync(ctx, connector, data?.trigger ?? 'schedule', { since: data?.since })
    },
  })
}

export const syncJobs = new Map(CONNECTORS.map((connector) => [connector.name, syncJob(connector)]))
