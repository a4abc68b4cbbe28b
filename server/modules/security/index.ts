import type { Module } from '../module.ts'
import { blocklistOf } from './blocklist.ts'
import { installSecurityHooks, recordRefusal, screenRequest } from './hooks.ts'
import { startLogLevelControl, stopLogLevelControl } from './log-level.ts'
import { securityRoutes } from './routes.ts'

export const securityModule: Module = {
  name: 'security',
  httpRoles: ['all', 'api', 'worker'],
  install: installSecurityHooks,
  screenRequest,
  observeResponse: recordRefusal,
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
