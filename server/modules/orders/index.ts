import type { Module } from '../module.ts'
import { orderRoutes } from './routes.ts'

export const ordersModule: Module = {
  name: 'orders',
  routes: orderRoutes,
}
