import type { Module } from '../module.ts'
import { incidentExtrasRoutes } from './extras-routes.ts'
import { incidentRoutes } from './routes.ts'

/** Incidents: opened by hand, by API or from critical alerts; escalated by the alert evaluation. */
export const incidentsModule: Module = {
  name: 'incidents',
  routes(app, ctx) {
    incidentRoutes(app, ctx)
    incidentExtrasRoutes(app, ctx)
  },
}
