import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from '../dbmaintenance/record.ts'
import { pruneMetrics } from './store.ts'

export const metricsRetentionJob = defineJob({
  name: 'monitoring.retention',
  description:
    'Deletes raw metric samples past METRICS_RAW_RETENTION_HOURS (48), minute rollups past METRICS_MINUTE_RETENTION_DAYS (14) and hour rollups past METRICS_HOUR_RETENTION_DAYS (400); day rollups are kept.',
  schedule: '35 * * * *',
  singleton: true,
  async handler(_data, ctx) {
    await recordRun(ctx, 'monitoring.retention', async () => {
      const pruned = await pruneMetrics(ctx, ctx.clock.ms())
      ctx.logger.info({ ...pruned }, 'retention of metric series')
      return { ...pruned }
    })
  },
})
