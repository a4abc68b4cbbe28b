import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from '../dbmaintenance/record.ts'
import { pruneNotifications } from './retention.ts'

export const retentionJob = defineJob({
  name: 'notifications.retention',
  description:
    'Deletes sent and dead notifications (with their attempts) and attempts older than NOTIFY_RETENTION_DAYS (default 30).',
  schedule: '35 4 * * *',
  singleton: true,
  async handler(_data, ctx) {
    await recordRun(ctx, 'notifications.retention', async () => {
      const pruned = await pruneNotifications(ctx)
      const detail = { ...pruned, days: ctx.config.notifications.retentionDays }
      ctx.logger.info(detail, 'retention of notifications')
      return detail
    })
  },
})
