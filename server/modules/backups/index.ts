import type { Module } from '../module.ts'
import { backupJob, drillJob } from './jobs.ts'
import { backupsRoutes } from './routes.ts'

/**
 * Backups: pg_dump (PostgreSQL) or the data directory (embedded) with a manifest of row counts,
 * to every backup store, on a schedule with retention; verified and restored from the CLI;
 * recovery drills measure RTO and RPO.
 */
export const backupsModule: Module = {
  name: 'backups',
  routes: backupsRoutes,
  jobs: [backupJob, drillJob],
}
