import type { Module } from '../module.ts'
import { opsRoutes } from './routes.ts'

/** The operations dashboard's own API: the metric tiles with their thresholds and state. */
export const opsModule: Module = {
  name: 'ops',
  routes: opsRoutes,
}
