import type { Module } from '../module.ts'
import { kpiRoutes } from './routes.ts'

export const kpisModule: Module = {
  name: 'kpis',
  routes: kpiRoutes,
}
