import type { Module } from '../module.ts'
import { financeRoutes } from './routes.ts'

/** Finance: exchange rates, working capital (now and its trend), receivables and payables. */
export const financeModule: Module = {
  name: 'finance',
  routes: financeRoutes,
}
