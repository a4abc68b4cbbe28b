import type { Module } from '../module.ts'
import { metricsRetentionJob } from './jobs.ts'
import { observeResponse } from './request-tally.ts'
import { monitoringRoutes } from './routes.ts'
import { startSampler, stopSampler } from './sampler.ts'

/** Stored metric series: the per-replica sampler, rollups, retention and the series API. */
export const monitoringModule: Module = {
  name: 'monitoring',
  httpRoles: ['all', 'api', 'worker'],
  observeResponse,
  routes: monitoringRoutes,
  jobs: [metricsRetentionJob],
  async start(ctx) {
    startSampler(ctx)
  },
  stop: stopSampler,
}
