import { defineJob } from '../../platform/jobs/jobs.ts'
import { recordRun } from '../dbmaintenance/record.ts'
import { pruneAuditLogs } from './service.ts'

export const auditRetentionJob = defineJob({
  name: 'audit.retention',
  description: 'Deletes audit log entries older than AUDIT_RETENTION_DAYS (default 90).',
  schedule: '40 3 * * *',
  singleton: true,
  async handler(_data, ctx) {
    const days = ctx.config.auditRetentionDays
    await recordRun(ctx, 'audit.retention', async () => {
      const deleted = await pruneAuditLogs(ctx.db, days)
      ctx.logger.info({ deleted, days }, 'audit log retention')
      return { deleted, days }
    })
  },
})
