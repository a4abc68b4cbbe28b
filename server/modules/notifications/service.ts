/**
 * The notifications module's public contract: what alert rules, incidents, maintenance windows
 * and on-call call. Enqueue inside the transaction of the change that causes the message, then
 * wake delivery once it committed.
 */
export { hasChannel, listChannels } from './channels.ts'
export { deliverDue, wakeDelivery } from './delivery.ts'
export { getMessage, listMessages, retryMessage, sendTestMessage } from './messages.ts'
export { enqueueNotification } from './outbox.ts'
export { type ChannelStats, channelStats } from './stats.ts'
export type { MessageField, NotificationTarget, OutgoingMessage, Severity } from './types.ts'
