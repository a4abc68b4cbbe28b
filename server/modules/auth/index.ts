import type { Module } from '../module.ts'
import { bootstrapUsers } from './bootstrap.ts'
import { authCleanupJob } from './jobs.ts'
import { authRoutes } from './routes.ts'
import { sessionPrincipal } from './session.ts'
import { userRoutes } from './user-routes.ts'

export const authModule: Module = {
  name: 'auth',
  routes: async (app, ctx) => {
    await authRoutes(app, ctx)
    userRoutes(app, ctx)
  },
  authenticate: (ctx) => (request, reply) => sessionPrincipal(ctx, request, reply),
  jobs: [authCleanupJob],
  start: bootstrapUsers,
}
