import { defineJob } from '../../platform/jobs/jobs.ts'

/** better-auth does not delete sessions that expire unused; this does, with stale verifications. */
export const authCleanupJob = defineJob({
  name: 'auth.cleanup',
  description: 'Deletes expired sessions and verification tokens.',
  schedule: '25 * * * *',
  singleton: true,
  async handler(_data, ctx) {
    const now = ctx.clock.now()
    const sessions = await ctx.db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst()
    const verifications = await ctx.db
      .deleteFrom('verifications')
      .where('expires_at', '<', now)
      .executeTakeFirst()
    ctx.logger.info(
      { sessions: Number(sessions.numDeletedRows), verifications: Number(verifications.numDeletedRows) },
      'deleted expired sessions',
    )
  },
})
