import type { Module } from '../module.ts'
import { startDelivery, stopDelivery } from './delivery.ts'
import { retentionJob } from './jobs.ts'
import { notificationRoutes } from './routes.ts'

/**
 * Notifications: channels (Slack, signed webhooks, email) and the durable outbox with its
 * delivery loop, retries, dead letters and per-channel figures.
 */
export const notificationsModule: Module = {
  name: 'notifications',
  routes: notificationRoutes,
  jobs: [retentionJob],
  async start(ctx) {
    startDelivery(ctx)
  },
  async stop(ctx) {
    await stopDelivery(ctx)
  },
}
