import type { Module } from '../module.ts'
import { forecastRoutes } from './routes.ts'

export const forecastingModule: Module = {
  name: 'forecasting',
  routes: forecastRoutes,
}
