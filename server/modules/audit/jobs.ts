import { defineJob } from '../../platform/jobs/jobs.ts'
import { pruneAuditLogs } from './service.ts'

export const auditRetentionJob = defineJob({
  name: 'audit.retention',
  description: 'Deletes audit log entries older than AUDIT_RETENTION_DAYS (default 90).',
  schedule: '40 3 * * *',
  singleton: true,
  async handler(_data, ctx) {
    const deleted = await pruneAuditLogs(ctx.db, ctx.config.auditRetentionDays)
    ctx.logger.info({ deleted, days: ctx.config.auditRetentionDays }, 'audit log retention')
  },
})
