import type { Module } from '../module.ts'
import { metricsRoutes } from './routes.ts'

export const metricsModule: Module = {
  name: 'metrics',
  httpRoles: ['all', 'api', 'worker'],
  routes: metricsRoutes,
}
