import type { Module } from '../module.ts'
import { analyzeJob, reindexJob } from './jobs.ts'
import { dbMaintenanceRoutes } from './routes.ts'

/**
 * Database maintenance: scheduled ANALYZE and REINDEX of bloated indexes (once across replicas),
 * every run of these and of the retention jobs recorded with its duration and outcome, and a
 * bloat report with VACUUM advice.
 */
export const dbMaintenanceModule: Module = {
  name: 'dbmaintenance',
  routes: dbMaintenanceRoutes,
  jobs: [analyzeJob, reindexJob],
}
