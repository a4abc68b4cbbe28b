import { defineJob } from '../../platform/jobs/jobs.ts'
import { pruneRetained } from './service.ts'

export const retentionJob = defineJob({
  name: 'housekeeping.retention',
  description:
    'Deletes idempotency keys older than IDEMPOTENCY_RETENTION_HOURS (default 72) and webhook deliveries older than 7 days.',
  schedule: '50 * * * *',
  singleton: true,
  async handler(_data, ctx) {
    const pruned = await pruneRetained(ctx.db, ctx.clock.ms(), ctx.config.idempotencyRetentionHours)
    ctx.logger.info(
      { ...pruned, hours: ctx.config.idempotencyRetentionHours },
      'retention of request records',
    )
  },
})
