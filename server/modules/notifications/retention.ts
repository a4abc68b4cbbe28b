import type { AppContext } from '../../context.ts'

/**
 * Deletes what is older than NOTIFY_RETENTION_DAYS: sent messages (by when they were sent),
 * dead letters nobody retried (by when they died), each with its attempts, and the attempts of
 * messages still kept. A deleted message's idempotency key is free again, so keys must stay
 * unique beyond the retention (callers put the event's id or time in them).
 */
export async function pruneNotifications(ctx: AppContext): Promise<{ messages: number; attempts: number }> {
  const before = new Date(ctx.clock.ms() - ctx.config.notifications.retentionDays * 86_400_000)
  const messages = await ctx.db
    .deleteFrom('notification_outbox')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'sent'), eb('sent_at', '<', before)]),
        eb.and([eb('status', '=', 'dead'), eb('dead_at', '<', before)]),
      ]),
    )
    .executeTakeFirst()
  const attempts = await ctx.db
    .deleteFrom('notification_attempts')
    .where('attempted_at', '<', before)
    .executeTakeFirst()
  return { messages: Number(messages.numDeletedRows), attempts: Number(attempts.numDeletedRows) }
}
