import { AppError } from '../../platform/http/errors.ts'
import { defineJob } from '../../platform/jobs/jobs.ts'
import { runDrill } from './drills.ts'
import { applyRetention, createBackup, verifyBackup } from './service.ts'

const scheduler = { type: 'system', id: 'schedule' } as const

/**
 * The scheduled backup (BACKUP_INTERVAL, else BACKUP_SCHEDULE, UTC; `off`: none), verified right
 * away (so the newest verified backup, which the RPO alert watches, advances), then retention.
 */
export const backupJob = defineJob({
  name: 'backups.create',
  description:
    'Takes a backup to every backup store every BACKUP_INTERVAL or on BACKUP_SCHEDULE (default 02:00 UTC), verifies it, then deletes the backups BACKUP_KEEP_DAILY/WEEKLY/MONTHLY do not keep.',
  schedule: (config) => config.backups.schedule,
  singleton: true,
  retryLimit: 1,
  expireInSeconds: 6 * 3600,
  async handler(_data, ctx) {
    const backup = await createBackup(ctx, scheduler)
    const report = await verifyBackup(ctx, backup.id, scheduler)
    if (report.state !== 'good')
      ctx.logger.error({ backup: backup.id, checks: report.checks }, 'scheduled backup is corrupt')
    const deleted = await applyRetention(ctx)
    ctx.logger.info(
      { backup: backup.id, size_bytes: backup.sizeBytes, verify: report.state, deleted: deleted.length },
      'scheduled backup',
    )
  },
})

/** The scheduled recovery drill (BACKUP_DRILL_SCHEDULE, default monthly); a failed drill is recorded and alerts. */
export const drillJob = defineJob({
  name: 'backups.drill',
  description:
    'Recovery drill on BACKUP_DRILL_SCHEDULE (default 04:00 UTC on the 1st): restores the newest backup into a scratch database, checks it, measures RTO and RPO, records the result, drops the scratch database.',
  schedule: (config) => config.backups.drillSchedule,
  singleton: true,
  retryLimit: 0,
  expireInSeconds: 12 * 3600,
  async handler(_data, ctx) {
    try {
      await runDrill(ctx, scheduler)
    } catch (error) {
      // No backup yet: nothing to drill (the backup-rpo alert covers missing backups).
      if (error instanceof AppError && error.code === 'NO_BACKUP') ctx.logger.warn(error.message)
      else throw error
    }
  },
})
