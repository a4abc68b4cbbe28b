import type { Module } from '../module.ts'
import { importRoutes } from './routes.ts'

export const importsModule: Module = {
  name: 'imports',
  routes: importRoutes,
}
