import type { Module } from '../module.ts'
import { apiKeyRoutes } from './routes.ts'
import { apiKeyPrincipal } from './service.ts'

export const apiKeysModule: Module = {
  name: 'apikeys',
  routes: apiKeyRoutes,
  authenticate: (ctx) => (request) => apiKeyPrincipal(ctx, request),
}
