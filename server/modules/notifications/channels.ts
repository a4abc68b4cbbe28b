import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { AppError, conflict, notFound, validationFailed } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { kinds } from './kinds.ts'
import { CHANNEL_NAME, type ChannelKind, type Destination, notConfigured } from './types.ts'

/**
 * Notification channels. `slack` (SLACK_WEBHOOK_URL) and `email` (SMTP_URL with NOTIFY_EMAIL_TO)
 * come from the environment and are synthesized on every read, never stored: the Slack URL (a
 * credential) stays out of the database, and changing or removing the variable takes effect at
 * the next start. Their names are reserved. Admins store any others.
 */

type Executor = Db | Transaction<Tables>

export const ENVIRONMENT_CHANNELS = ['slack', 'email'] as const

export interface Channel {
  name: string
  kind: ChannelKind
  destination: string
  secret: string | null
  enabled: boolean
  origin: 'environment' | 'stored'
  createdBy: string | null
  createdAt: Date | null
  updatedAt: Date | null
}

/** A channel as the API shows it: secrets never, receiver URLs by origin only. */
export interface ChannelView {
  name: string
  kind: ChannelKind
  destination: string
  hasSecret: boolean
  enabled: boolean
  origin: 'environment' | 'stored'
  createdBy: string | null
  createdAt: string | null
  updatedAt: string | null
}

export function presentChannel(channel: Channel): ChannelView {
  return {
    name: channel.name,
    kind: channel.kind,
    destination: kinds[channel.kind].shown(channel.destination),
    hasSecret: channel.secret !== null,
    enabled: channel.enabled,
    origin: channel.origin,
    createdBy: channel.createdBy,
    createdAt: channel.createdAt?.toISOString() ?? null,
    updatedAt: channel.updatedAt?.toISOString() ?? null,
  }
}

function environmentChannels(ctx: AppContext): Channel[] {
  const settings = ctx.config.notifications
  const channel = (name: string, kind: ChannelKind, destination: string): Channel => ({
    name,
    kind,
    destination,
    secret: null,
    enabled: true,
    origin: 'environment',
    createdBy: null,
    createdAt: null,
    updatedAt: null,
  })
  const list: Channel[] = []
  if (settings.slackWebhookUrl) list.push(channel('slack', 'slack', settings.slackWebhookUrl))
  if (settings.smtpUrl && settings.emailTo.length > 0)
    list.push(channel('email', 'email', settings.emailTo.join(', ')))
  return list
}

function fromRow(row: Selectable<Tables['notification_channels']>): Channel {
  return {
    name: row.name,
    kind: row.kind,
    destination: row.destination,
    secret: row.secret,
    enabled: row.enabled,
    origin: 'stored',
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

export async function findChannel(ctx: AppContext, db: Executor, name: string): Promise<Channel | undefined> {
  const fromEnvironment = environmentChannels(ctx).find((channel) => channel.name === name)
  if (fromEnvironment || (ENVIRONMENT_CHANNELS as readonly string[]).includes(name)) return fromEnvironment
  const row = await db
    .selectFrom('notification_channels')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst()
  return row ? fromRow(row) : undefined
}

/**
 * Whether a channel of this name is configured (enabled or not): what callers check before
 * addressing one. Inside a transaction pass it (the embedded engine has one connection).
 */
export async function hasChannel(ctx: AppContext, name: string, db: Executor = ctx.db): Promise<boolean> {
  return (await findChannel(ctx, db, name)) !== undefined
}

/** The environment's channels first, then the stored ones by name. */
export async function listChannels(ctx: AppContext): Promise<Channel[]> {
  const rows = await ctx.db.selectFrom('notification_channels').selectAll().orderBy('name').execute()
  return [...environmentChannels(ctx), ...rows.map(fromRow)]
}

/** Where a message through `channel` goes now. */
export function channelDestination(ctx: AppContext, channel: Channel): Destination {
  return {
    kind: channel.kind,
    label: channel.name,
    ...kinds[channel.kind].route(
      channel.destination,
      channel.secret ?? ctx.config.notifications.webhookSecret,
    ),
  }
}

export interface ChannelInput {
  name: string
  kind: ChannelKind
  destination: string
  secret?: string
  enabled?: boolean
}

export interface ChannelPatch {
  destination?: string
  /** null removes the channel's own secret (NOTIFY_WEBHOOK_SECRET signs then). */
  secret?: string | null
  enabled?: boolean
}

const environmentChannel = (name: string) =>
  new AppError(
    409,
    'ENVIRONMENT_CHANNEL',
    `"${name}" is defined by the environment (SLACK_WEBHOOK_URL, SMTP_URL with NOTIFY_EMAIL_TO); change it there`,
  )

function check(ctx: AppContext, kind: ChannelKind, destination: string, secret: string | null): void {
  const spec = kinds[kind]
  const problem = spec.destinationProblem(destination)
  if (problem) throw validationFailed(`destination ${problem}`, [{ path: '/destination', message: problem }])
  if (secret !== null && !spec.takesSecret)
    throw validationFailed(`a ${kind} channel takes no secret`, [{ path: '/secret', message: 'not allowed' }])
  const missing = spec.missing(ctx.config.notifications, secret)
  if (missing) throw notConfigured(`A ${kind} channel needs ${missing}`)
}

/** What the audit log keeps of a channel: never the secret, receiver URLs by origin only. */
const audited = (channel: Channel) => {
  const { hasSecret, destination, enabled, kind } = presentChannel(channel)
  return { kind, destination, enabled, hasSecret }
}

export async function createChannel(
  ctx: AppContext,
  input: ChannelInput,
  actor: Actor,
  request?: RequestFacts,
): Promise<ChannelView> {
  if (!CHANNEL_NAME.test(input.name))
    throw validationFailed(
      'name must be 1-40 lower-case letters, digits, - or _, starting with a letter or digit',
    )
  if ((ENVIRONMENT_CHANNELS as readonly string[]).includes(input.name)) throw environmentChannel(input.name)
  check(ctx, input.kind, input.destination, input.secret ?? null)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('notification_channels')
      .values({
        name: input.name,
        kind: input.kind,
        destination: input.destination,
        secret: input.secret ?? null,
        enabled: input.enabled ?? true,
        created_by: actorLabel(actor),
        created_at: ctx.clock.now(),
        updated_at: ctx.clock.now(),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .returningAll()
      .executeTakeFirst()
    if (!row) throw conflict(`A channel named "${input.name}" exists already`)
    const channel = fromRow(row)
    await recordAudit(tx, {
      actor,
      action: 'notification_channel_create',
      target: { type: 'notification_channel', id: channel.name },
      request,
      newValues: audited(channel),
    })
    return presentChannel(channel)
  })
}

export async function updateChannel(
  ctx: AppContext,
  name: string,
  patch: ChannelPatch,
  actor: Actor,
  request?: RequestFacts,
): Promise<ChannelView> {
  if ((ENVIRONMENT_CHANNELS as readonly string[]).includes(name)) throw environmentChannel(name)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('notification_channels')
      .selectAll()
      .where('name', '=', name)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound(`No notification channel named "${name}"`)
    const before = fromRow(row)
    const destination = patch.destination ?? before.destination
    const secret = patch.secret === undefined ? before.secret : patch.secret
    check(ctx, before.kind, destination, secret)
    const updated = await tx
      .updateTable('notification_channels')
      .set({ destination, secret, enabled: patch.enabled ?? before.enabled, updated_at: ctx.clock.now() })
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = fromRow(updated)
    await recordAudit(tx, {
      actor,
      action: 'notification_channel_update',
      target: { type: 'notification_channel', id: name },
      request,
      oldValues: audited(before),
      newValues: { ...audited(after), secretChanged: patch.secret !== undefined },
    })
    return presentChannel(after)
  })
}

/** Deletes a stored channel; its undelivered messages become dead letters (retried once it exists again). */
export async function deleteChannel(
  ctx: AppContext,
  name: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<{ name: string; deadLettered: number }> {
  if ((ENVIRONMENT_CHANNELS as readonly string[]).includes(name)) throw environmentChannel(name)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .deleteFrom('notification_channels')
      .where('name', '=', name)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw notFound(`No notification channel named "${name}"`)
    const now = ctx.clock.now()
    const dead = await tx
      .updateTable('notification_outbox')
      .set({
        status: 'dead',
        dead_at: now,
        locked_until: null,
        lease_id: null,
        last_error: `channel "${name}" was deleted`,
        last_error_at: now,
      })
      .where('channel', '=', name)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst()
    const deadLettered = Number(dead.numUpdatedRows)
    await recordAudit(tx, {
      actor,
      action: 'notification_channel_delete',
      target: { type: 'notification_channel', id: name },
      request,
      oldValues: audited(fromRow(row)),
      newValues: { deadLettered },
    })
    return { name, deadLettered }
  })
}
