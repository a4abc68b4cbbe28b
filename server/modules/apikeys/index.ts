import type { AppContext } from '../../context.ts'
import type { Module } from '../module.ts'
import { watchKeys } from './cache.ts'
import { apiKeyRoutes } from './routes.ts'
import { apiKeyPrincipal } from './service.ts'

const unwatch = new WeakMap<AppContext, () => void>()

export const apiKeysModule: Module = {
  name: 'apikeys',
  routes: apiKeyRoutes,
  authenticate: (ctx) => (request) => apiKeyPrincipal(ctx, request),
  async start(ctx) {
    unwatch.set(ctx, watchKeys(ctx))
  },
  async stop(ctx) {
    unwatch.get(ctx)?.()
  },
}
