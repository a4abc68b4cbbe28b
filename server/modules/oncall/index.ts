import type { Module } from '../module.ts'
import { oncallRoutes } from './routes.ts'

export const oncallModule: Module = {
  name: 'oncall',
  routes: oncallRoutes,
}
