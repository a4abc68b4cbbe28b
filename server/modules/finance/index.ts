import type { Module } from '../module.ts'
import { financeRoutes } from './routes.ts'

/** Finance: exchange rates (the working-capital report is served with the KPIs). */
export const financeModule: Module = {
  name: 'finance',
  routes: financeRoutes,
}
