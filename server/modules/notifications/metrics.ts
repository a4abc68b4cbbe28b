import { Counter, Gauge } from 'prom-client'
import type { AppContext } from '../../context.ts'
import { MESSAGE_STATUSES } from './types.ts'

/**
 * Prometheus metrics of the notifications: attempts by kind and outcome in this process, and
 * the outbox by status read from the database at scrape time (the same on every replica).
 */
export interface NotificationMetrics {
  attempts: Counter<'kind' | 'outcome'>
}

const byRegistry = new WeakMap<object, NotificationMetrics>()

export function notificationMetrics(ctx: AppContext): NotificationMetrics {
  const existing = byRegistry.get(ctx.metrics.registry)
  if (existing) return existing
  const registers = [ctx.metrics.registry]
  new Gauge({
    name: 'notifications_outbox_messages',
    help: 'Notifications in the outbox by status (pending, sending, dead; sent ones are not counted).',
    labelNames: ['status'],
    registers,
    async collect() {
      try {
        const rows = await ctx.db
          .selectFrom('notification_outbox')
          .select(['status', (eb) => eb.fn.countAll<string>().as('count')])
          .where('status', '<>', 'sent')
          .groupBy('status')
          .execute()
        for (const status of MESSAGE_STATUSES.filter((s) => s !== 'sent'))
          this.set({ status }, Number(rows.find((row) => row.status === status)?.count ?? 0))
      } catch (error) {
        ctx.logger.warn({ err: error }, 'could not count the notification outbox for metrics')
      }
    },
  })
  const created: NotificationMetrics = {
    attempts: new Counter({
      name: 'notifications_attempts_total',
      help: 'Notification delivery attempts by this process, by channel kind and outcome (sent, failed, dead).',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
  }
  byRegistry.set(ctx.metrics.registry, created)
  return created
}
