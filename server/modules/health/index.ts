import type { Module } from '../module.ts'
import { healthRoutes } from './routes.ts'

export const healthModule: Module = {
  name: 'health',
  httpRoles: ['all', 'api', 'worker'],
  routes: healthRoutes,
}
