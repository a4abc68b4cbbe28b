import type { Module } from '../module.ts'
import { webRoutes } from './routes.ts'

/** The web app's files, served by the API's own HTTP server. */
export const webModule: Module = {
  name: 'web',
  httpRoles: ['all', 'api'],
  routes: webRoutes,
}
