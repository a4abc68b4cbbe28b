import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from '../dbmaintenance/record.ts'
import { pruneErrorGroups } from './service.ts'

export const errorsRetentionJob = defineJob({
  name: 'errors.retention',
  description:
    'Deletes error groups not seen for ERRORS_RETENTION_DAYS (default 90), and older hourly counts.',
  schedule: '45 3 * * *',
  singleton: true,
  async handler(_data, ctx) {
    const days = ctx.config.errors.retentionDays
    await recordRun(ctx, 'errors.retention', async () => {
      const pruned = await pruneErrorGroups(ctx, days)
      ctx.logger.info({ ...pruned, days }, 'error group retention')
      return { ...pruned, days }
    })
  },
})
