import { randomUUID } from 'node:crypto'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import { AppError, badRequest, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import { recordAudit } from '../audit/service.ts'
import { findChannel } from './channels.ts'
import { wakeDelivery } from './delivery.ts'
import { enqueueNotification, type MessageView, presentMessage } from './outbox.ts'
import type { MessageStatus } from './types.ts'

/** Reading the outbox, and the admin actions on it: retry a dead letter, send a test message. */

export interface MessageQuery {
  status?: MessageStatus
  source?: string
  cursor?: string
  limit?: number
}

/** Messages newest first; `nextCursor` continues after the last one. */
export async function listMessages(
  ctx: AppContext,
  query: MessageQuery,
): Promise<{ items: MessageView[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 500)
  if (query.cursor !== undefined && !BIGINT_ID.test(query.cursor))
    throw badRequest('cursor is not one this API gave out')
  let select = ctx.db.selectFrom('notification_outbox').selectAll()
  if (query.status) select = select.where('status', '=', query.status)
  if (query.source) select = select.where('source', '=', query.source)
  if (query.cursor) select = select.where('id', '<', query.cursor)
  const rows = await select
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  return pageOf(rows, limit, presentMessage, (last) => String(last.id))
}

export interface AttemptView {
  attempt: number
  attemptedAt: string
  outcome: 'sent' | 'failed'
  error: string | null
  durationMs: number
}

export async function getMessage(
  ctx: AppContext,
  id: string,
): Promise<MessageView & { history: AttemptView[] }> {
  const row = await ctx.db
    .selectFrom('notification_outbox')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw notFound(`No notification ${id}`)
  const attempts = await ctx.db
    .selectFrom('notification_attempts')
    .selectAll()
    .where('message_id', '=', id)
    .orderBy('id')
    .execute()
  return {
    ...presentMessage(row),
    history: attempts.map((a) => ({
      attempt: a.attempt,
      attemptedAt: new Date(a.attempted_at).toISOString(),
      outcome: a.outcome,
      error: a.error,
      durationMs: a.duration_ms,
    })),
  }
}

/** A dead letter back to pending with its attempts reset, delivered at the next pass; audited. */
export async function retryMessage(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<MessageView> {
  const view = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('notification_outbox')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound(`No notification ${id}`)
    if (row.status !== 'dead')
      throw new AppError(
        409,
        'NOT_DEAD',
        `Notification ${id} is ${row.status}; only dead letters are retried`,
      )
    const updated = await tx
      .updateTable('notification_outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: ctx.clock.now(), dead_at: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'notification_retry',
      target: { type: 'notification', id },
      request,
      oldValues: { status: row.status, attempts: row.attempts, lastError: row.last_error },
      newValues: { status: 'pending' },
    })
    return presentMessage(updated)
  })
  wakeDelivery(ctx)
  return view
}

/** Queues a test message to a channel (refused for a disabled one); audited. */
export async function sendTestMessage(
  ctx: AppContext,
  channelName: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<{ id: string }> {
  const channel = await findChannel(ctx, ctx.db, channelName)
  if (!channel) throw notFound(`No notification channel named "${channelName}"`)
  if (!channel.enabled) throw new AppError(409, 'CHANNEL_DISABLED', `Channel "${channelName}" is disabled`)
  const id = await ctx.db.transaction().execute(async (tx) => {
    const queued = await enqueueNotification(ctx, tx, {
      target: { channel: channel.name },
      idempotencyKey: `test:${channel.name}:${randomUUID()}`,
      title: 'Test notification from Sentia',
      text: `A test of the channel "${channel.name}", sent by ${actorLabel(actor)}. If you read this, it works.`,
      severity: 'info',
      fields: [
        { label: 'Channel', value: channel.name },
        { label: 'Kind', value: channel.kind },
      ],
      link: `${ctx.config.publicUrl}/ops`,
      source: 'test',
    })
    await recordAudit(tx, {
      actor,
      action: 'notification_test',
      target: { type: 'notification_channel', id: channel.name },
      request,
      newValues: { notification: queued.id },
    })
    return queued.id
  })
  wakeDelivery(ctx)
  return { id }
}
