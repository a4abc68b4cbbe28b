import type { Module } from '../module.ts'
import { trafficRoutes } from './routes.ts'

/** Storefront traffic: sessions per channel and hour, for conversion. */
export const trafficModule: Module = {
  name: 'traffic',
  routes: trafficRoutes,
}
