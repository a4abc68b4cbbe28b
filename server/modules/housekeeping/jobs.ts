import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from '../dbmaintenance/record.ts'
import { pruneRetained } from './service.ts'

export const retentionJob = defineJob({
  name: 'housekeeping.retention',
  description:
    'Deletes idempotency keys older than IDEMPOTENCY_RETENTION_HOURS (default 72) and webhook deliveries older than 7 days.',
  schedule: '50 * * * *',
  singleton: true,
  async handler(_data, ctx) {
    await recordRun(ctx, 'housekeeping.retention', async () => {
      const pruned = await pruneRetained(ctx.db, ctx.clock.ms(), ctx.config.idempotencyRetentionHours)
      const detail = { ...pruned, hours: ctx.config.idempotencyRetentionHours }
      ctx.logger.info(detail, 'retention of request records')
      return detail
    })
  },
})
