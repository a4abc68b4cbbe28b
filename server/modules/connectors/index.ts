import type { Module } from '../module.ts'
import { syncJobs } from './jobs.ts'
import { connectorRoutes } from './routes.ts'
import { connectorRuntime, stopConnectors } from './runtime.ts'
import { watchBreakerChanges } from './service.ts'

/**
 * Connectors: scheduled pulls from outside services (registry.ts), each with its configuration
 * state, schedule, retries, circuit breaker and stored cursor.
 */
const unwatch = new WeakMap<object, () => void>()

export const connectorsModule: Module = {
  name: 'connectors',
  routes(app, ctx) {
    connectorRuntime(ctx)
    connectorRoutes(app, ctx)
  },
  jobs: [...syncJobs.values()],
  async start(ctx) {
    connectorRuntime(ctx)
    unwatch.set(ctx, watchBreakerChanges(ctx))
  },
  async stop(ctx) {
    unwatch.get(ctx)?.()
    stopConnectors(ctx)
  },
}
