import { randomUUID } from 'node:crypto'
import { type Selectable, sql, type Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { validationFailed } from '../../platform/http/errors.ts'
import { findChannel } from './channels.ts'
import { kinds } from './kinds.ts'
import {
  type ChannelKind,
  EMAIL_ADDRESS,
  IDEMPOTENCY_KEY,
  type MessageField,
  type MessageStatus,
  type NotificationTarget,
  type OutgoingMessage,
  SEVERITIES,
  type Severity,
  type StoredMessage,
  unknownChannel,
} from './types.ts'

/**
 * The durable outbox: every message is stored (in the caller's transaction) before anything is
 * sent. A row is `pending` until a delivery pass claims it (`sending`, with a lease), then
 * `sent`, or `pending` again with a later `next_attempt_at`, or `dead` after the last attempt.
 * A lease that expires (the process died mid-send) makes the row due again; it is then sent
 * with the same idempotency key.
 */

type Executor = Db | Transaction<Tables>
export type OutboxRow = Selectable<Tables['notification_outbox']>

interface Content {
  text: string
  severity: Severity | null
  fields: MessageField[]
  link: string | null
  mention: string | null
}

const MENTION = /^(@?(here|channel|everyone)|[UWSC][A-Z0-9]{2,20}|#[a-z0-9_.-]{1,80})$/
const SOURCE = /^[\x21-\x7e]{1,100}$/

function checkMessage(message: OutgoingMessage): void {
  const problems: { path: string; message: string }[] = []
  const problem = (path: string, text: string) => problems.push({ path, message: text })
  if (typeof message.idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(message.idempotencyKey))
    problem('/idempotencyKey', 'must be 1-200 visible ASCII characters')
  if (typeof message.title !== 'string' || message.title.trim() === '' || message.title.length > 250)
    problem('/title', 'must be 1-250 characters')
  if (typeof message.text !== 'string' || message.text.length > 20_000)
    problem('/text', 'must be at most 20000 characters')
  if (message.severity !== undefined && !SEVERITIES.includes(message.severity))
    problem('/severity', `must be one of ${SEVERITIES.join(', ')}`)
  const fields = message.fields ?? []
  if (!Array.isArray(fields) || fields.length > 20) problem('/fields', 'must be at most 20 fields')
  else
    fields.forEach((field, i) => {
      if (typeof field?.label !== 'string' || field.label === '' || field.label.length > 100)
        problem(`/fields/${i}/label`, 'must be 1-100 characters')
      if (typeof field?.value !== 'string' || field.value.length > 2000)
        problem(`/fields/${i}/value`, 'must be at most 2000 characters')
    })
  if (message.link !== undefined && !/^https?:\/\/[^\s]{1,2000}$/.test(message.link))
    problem('/link', 'must be an absolute http(s) URL')
  if (message.mention !== undefined && !MENTION.test(message.mention))
    problem('/mention', 'must be a Slack user, group or channel id, #channel-name or here/channel/everyone')
  if (message.source !== undefined && !SOURCE.test(message.source))
    problem('/source', 'must be 1-100 visible ASCII characters')
  if (problems.length > 0)
    throw validationFailed(`Invalid notification: ${problems[0]!.path} ${problems[0]!.message}`, problems)
}

interface ResolvedTarget {
  channel: string | null
  kind: ChannelKind
  destination: string | null
  /** Why the message is a dead letter from the start (a disabled channel), or null. */
  refused: string | null
}

async function resolveTarget(
  ctx: AppContext,
  db: Executor,
  target: NotificationTarget,
): Promise<ResolvedTarget> {
  if ('channel' in target && typeof target.channel === 'string') {
    const channel = await findChannel(ctx, db, target.channel)
    if (!channel) throw unknownChannel(target.channel)
    return {
      channel: channel.name,
      kind: channel.kind,
      destination: null,
      refused: channel.enabled ? null : `channel "${channel.name}" is disabled`,
    }
  }
  let direct: { kind: ChannelKind; destination: string; problem: string | null }
  if ('email' in target && typeof target.email === 'string')
    direct = {
      kind: 'email',
      destination: target.email,
      problem:
        EMAIL_ADDRESS.test(target.email) && target.email.length <= 254 ? null : 'is not an email address',
    }
  else if ('webhook' in target && typeof target.webhook === 'string')
    direct = {
      kind: 'webhook',
      destination: target.webhook,
      problem: kinds.webhook.destinationProblem(target.webhook),
    }
  else throw validationFailed('target must be {channel}, {email} or {webhook}')
  if (direct.problem) throw validationFailed(`target ${direct.kind} ${direct.problem}`)
  // Stored as a dead letter rather than refused: the caller's transaction (an escalation step
  // with other recipients) goes on, and the message is sent once retried after configuring.
  const missing = kinds[direct.kind].missing(ctx.config.notifications, null)
  return {
    channel: null,
    kind: direct.kind,
    destination: direct.destination,
    refused: missing ? `${direct.kind} notifications need ${missing}` : null,
  }
}

/**
 * Stores the message in `db` (pass the caller's transaction so the message commits with the
 * state change that caused it). Unknown channel → 422 UNKNOWN_CHANNEL; a malformed message or
 * address → 400 VALIDATION_FAILED. A message to a disabled channel, or to an address whose kind
 * is not configured (no SMTP_URL, no NOTIFY_WEBHOOK_SECRET), is stored as a dead letter. The
 * same idempotency key again stores nothing and returns the first message's id.
 */
export async function enqueueNotification(
  ctx: AppContext,
  db: Executor,
  message: OutgoingMessage,
): Promise<{ id: string; created: boolean }> {
  checkMessage(message)
  const target = await resolveTarget(ctx, db, message.target)
  const now = ctx.clock.now()
  const content: Content = {
    text: message.text,
    severity: message.severity ?? null,
    fields: (message.fields ?? []).map(({ label, value }) => ({ label, value })),
    link: message.link ?? null,
    mention: message.mention ?? null,
  }
  const inserted = await db
    .insertInto('notification_outbox')
    .values({
      idempotency_key: message.idempotencyKey,
      channel: target.channel,
      target_kind: target.kind,
      destination: target.destination,
      title: message.title,
      content: JSON.stringify(content),
      source: message.source ?? null,
      status: target.refused ? 'dead' : 'pending',
      next_attempt_at: now,
      last_error: target.refused,
      last_error_at: target.refused ? now : null,
      dead_at: target.refused ? now : null,
      created_at: now,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted) return { id: String(inserted.id), created: true }
  const existing = await db
    .selectFrom('notification_outbox')
    .select('id')
    .where('idempotency_key', '=', message.idempotencyKey)
    .executeTakeFirstOrThrow()
  return { id: String(existing.id), created: false }
}

export function storedMessage(row: OutboxRow): StoredMessage {
  const content = row.content as Content
  return {
    id: String(row.id),
    idempotencyKey: row.idempotency_key,
    title: row.title,
    text: content.text,
    severity: content.severity,
    fields: content.fields,
    link: content.link,
    mention: content.mention,
    source: row.source,
    createdAt: new Date(row.created_at),
  }
}

/** How long a claimed message is leased: its send is over (answered or timed out) well before. */
export const leaseMs = (ctx: AppContext) => ctx.config.notifications.timeoutMs + 60_000

/**
 * Claims up to `limit` due messages for this process: pending ones whose time has come and
 * sending ones whose lease expired. Each claim counts as an attempt. Rows another process is
 * claiming at the same moment are skipped (`for update skip locked`), so no two processes
 * send a message at once.
 */
export async function claimDue(ctx: AppContext, limit: number, only?: string[]): Promise<OutboxRow[]> {
  const now = ctx.clock.now()
  const until = new Date(now.getTime() + leaseMs(ctx))
  const leaseId = randomUUID()
  const restrict = only ? sql`and id in (${sql.join(only.map((id) => sql`${id}::bigint`))})` : sql``
  const { rows } = await sql<OutboxRow>`
    update notification_outbox as o
    set status = 'sending', attempts = o.attempts + 1, locked_until = ${until}, lease_id = ${leaseId}
    from (
      select id from notification_outbox
      where ((status = 'pending' and next_attempt_at <= ${now}) or (status = 'sending' and locked_until <= ${now}))
      ${restrict}
      order by next_attempt_at, id
      limit ${limit}
      for update skip locked
    ) as due
    where o.id = due.id
    returning o.*`.execute(ctx.db)
  return rows.sort((a, b) => Number(a.id) - Number(b.id))
}

/**
 * Delay before the next attempt after `attempt` failed: exponential from the base, capped, with
 * "equal jitter" (uniformly between half and all of it). Full jitter could draw near-zero
 * delays in a row and spend every attempt within minutes; this way 20 attempts span at least
 * half the sum of the delays (about 35 minutes with the defaults), and retries still spread.
 */
export function retryDelayMs(
  attempt: number,
  settings: { retryBaseSeconds: number; retryMaxSeconds: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.retryMaxSeconds, settings.retryBaseSeconds * 2 ** (attempt - 1)) * 1000
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

export interface AttemptResult {
  outcome: 'sent' | 'failed'
  error: string | null
  durationMs: number
  /** The receiver asked for at least this pause (429 Retry-After). */
  retryAfterMs?: number
}

/**
 * Records one attempt and moves the message on: sent, pending again after the backoff, or dead.
 * The row changes only while this claim's lease holds (a process whose lease expired and was
 * taken over cannot overwrite the newer outcome); the attempt is recorded either way.
 */
export async function recordAttempt(
  ctx: AppContext,
  row: OutboxRow,
  result: AttemptResult,
): Promise<'sent' | 'failed' | 'dead' | 'superseded'> {
  const settings = ctx.config.notifications
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('notification_attempts')
      .values({
        message_id: row.id,
        channel: row.channel,
        target_kind: row.target_kind,
        attempt: row.attempts,
        attempted_at: now,
        outcome: result.outcome,
        error: result.error,
        duration_ms: Math.round(result.durationMs),
      })
      .execute()
    const leased = tx
      .updateTable('notification_outbox')
      .where('id', '=', row.id)
      .where('status', '=', 'sending')
      .where('lease_id', '=', row.lease_id)
    if (result.outcome === 'sent') {
      const done = await leased
        .set({ status: 'sent', sent_at: now, locked_until: null, lease_id: null })
        .executeTakeFirst()
      return done.numUpdatedRows > 0n ? 'sent' : 'superseded'
    }
    const dead = row.attempts >= settings.maxAttempts
    const delay = Math.max(
      retryDelayMs(row.attempts, settings),
      Math.min(result.retryAfterMs ?? 0, settings.retryMaxSeconds * 1000),
    )
    const moved = await leased
      .set({
        status: dead ? 'dead' : 'pending',
        next_attempt_at: new Date(now.getTime() + (dead ? 0 : delay)),
        dead_at: dead ? now : null,
        locked_until: null,
        lease_id: null,
        last_error: result.error,
        last_error_at: now,
      })
      .executeTakeFirst()
    if (moved.numUpdatedRows === 0n) return 'superseded'
    return dead ? 'dead' : 'failed'
  })
}

/** A claimed message that must not be sent (its channel was disabled): a dead letter, not an attempt. */
export async function refuseClaimed(ctx: AppContext, row: OutboxRow, reason: string): Promise<void> {
  const now = ctx.clock.now()
  await ctx.db
    .updateTable('notification_outbox')
    .set((eb) => ({
      status: 'dead',
      attempts: eb('attempts', '-', 1),
      dead_at: now,
      locked_until: null,
      lease_id: null,
      last_error: reason,
      last_error_at: now,
    }))
    .where('id', '=', row.id)
    .where('lease_id', '=', row.lease_id)
    .execute()
}

export interface MessageView {
  id: string
  idempotencyKey: string
  target: { kind: ChannelKind; channel: string | null; destination: string | null }
  title: string
  text: string
  severity: Severity | null
  fields: MessageField[]
  link: string | null
  mention: string | null
  source: string | null
  status: MessageStatus
  attempts: number
  nextAttemptAt: string | null
  lastError: string | null
  lastErrorAt: string | null
  createdAt: string
  sentAt: string | null
  deadAt: string | null
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

export function presentMessage(row: OutboxRow): MessageView {
  const message = storedMessage(row)
  return {
    id: message.id,
    idempotencyKey: message.idempotencyKey,
    target: {
      kind: row.target_kind,
      channel: row.channel,
      destination: row.destination === null ? null : kinds[row.target_kind].shown(row.destination),
    },
    title: message.title,
    text: message.text,
    severity: message.severity,
    fields: message.fields,
    link: message.link,
    mention: message.mention,
    source: message.source,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastError: row.last_error,
    lastErrorAt: iso(row.last_error_at),
    createdAt: message.createdAt.toISOString(),
    sentAt: iso(row.sent_at),
    deadAt: iso(row.dead_at),
  }
}
