import type { Module } from '../module.ts'
import { inventoryRoutes } from './routes.ts'

export const inventoryModule: Module = {
  name: 'inventory',
  routes: inventoryRoutes,
}
