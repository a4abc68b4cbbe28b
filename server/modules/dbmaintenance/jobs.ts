import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from './record.ts'
import { analyzeDatabase, reindexBloated } from './tasks.ts'

/** Scheduled from the config (`off`: not scheduled); pg-boss runs each tick once across replicas. */

export const analyzeJob = defineJob({
  name: 'dbmaintenance.analyze',
  description:
    'ANALYZE of every table (planner statistics), on DB_ANALYZE_SCHEDULE (default Sundays 03:00 UTC).',
  schedule: (config) => config.dbMaintenance.analyzeSchedule,
  singleton: true,
  expireInSeconds: 3600,
  async handler(_data, ctx) {
    const detail = await recordRun(ctx, 'dbmaintenance.analyze', () => analyzeDatabase(ctx))
    ctx.logger.info({ ...detail }, 'database analyzed')
  },
})

export const reindexJob = defineJob({
  name: 'dbmaintenance.reindex',
  description:
    'Rebuilds indexes of 1 MiB or more with estimated bloat over DB_REINDEX_BLOAT_PERCENT (REINDEX CONCURRENTLY on PostgreSQL), on DB_REINDEX_SCHEDULE (default Sundays 03:30 UTC).',
  schedule: (config) => config.dbMaintenance.reindexSchedule,
  singleton: true,
  // A rebuild of a large index takes a while; a retry would start it over.
  expireInSeconds: 4 * 3600,
  retryLimit: 1,
  async handler(_data, ctx) {
    const detail = await recordRun(ctx, 'dbmaintenance.reindex', () => reindexBloated(ctx))
    ctx.logger.info({ ...detail }, 'bloated indexes rebuilt')
  },
})
