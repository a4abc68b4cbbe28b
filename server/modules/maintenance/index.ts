import type { Module } from '../module.ts'
import { scheduleOf } from './cache.ts'
import { installMaintenanceHooks } from './hooks.ts'
import { maintenanceRoutes } from './routes.ts'

export const maintenanceModule: Module = {
  name: 'maintenance',
  install: installMaintenanceHooks,
  routes: maintenanceRoutes,
  async start(ctx) {
    scheduleOf(ctx).start()
  },
  async stop(ctx) {
    scheduleOf(ctx).stop()
  },
}
