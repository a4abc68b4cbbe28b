import { defineJob } from '../../platform/jobs/jobs.ts'
import { pruneNotifications } from './retention.ts'

export const retentionJob = defineJob({
  name: 'notifications.retention',
  description:
    'Deletes sent and dead notifications (with their attempts) and attempts older than NOTIFY_RETENTION_DAYS (default 30).',
  schedule: '35 4 * * *',
  singleton: true,
  async handler(_data, ctx) {
    const pruned = await pruneNotifications(ctx)
    ctx.logger.info({ ...pruned, days: ctx.config.notifications.retentionDays }, 'retention of notifications')
  },
})
