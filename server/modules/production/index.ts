import type { Module } from '../module.ts'
import { productionRoutes } from './routes.ts'

export const productionModule: Module = {
  name: 'production',
  routes: productionRoutes,
}
