import type { Module } from '../module.ts'
import { blocklistOf } from './blocklist.ts'
import { installSecurityHooks } from './hooks.ts'
import { startLogLevelControl, stopLogLevelControl } from './log-level.ts'
import { securityRoutes } from './routes.ts'

export const securityModule: Module = {
  name: 'security',
  httpRoles: ['all', 'api', 'worker'],
  install: installSecurityHooks,
  routes: securityRoutes,
  async start(ctx) {
    await blocklistOf(ctx).refresh()
    blocklistOf(ctx).start()
    startLogLevelControl(ctx)
  },
  async stop(ctx) {
    blocklistOf(ctx).stop()
    stopLogLevelControl(ctx)
  },
}
