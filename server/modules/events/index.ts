import type { Module } from '../module.ts'
import { eventRoutes } from './routes.ts'
import { eventLogOf } from './stream.ts'

export const eventsModule: Module = {
  name: 'events',
  routes: (app, ctx) => eventRoutes(app, ctx),
  async start(ctx) {
    eventLogOf(ctx).start(ctx)
  },
  async stop(ctx) {
    eventLogOf(ctx).stop()
  },
}
