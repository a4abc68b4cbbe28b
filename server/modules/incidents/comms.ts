import { createHash, randomUUID } from 'node:crypto'
import type { AppContext } from '../../context.ts'
import type { IncidentSeverity, IncidentStatus } from '../../platform/db/schema.ts'
import { AppError, conflict } from '../../platform/http/errors.ts'
import { idempotent } from '../../platform/http/idempotency.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { enqueueNotification, listChannels, type Severity, wakeDelivery } from '../notifications/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { SEVERITY_DEFINITIONS } from './defaults.ts'
import { describeEvent } from './postmortem.ts'
import { type Change, getIncident } from './service.ts'
import { recordEvent } from './timeline.ts'

/**
 * The runbook's incident communications: Initial Alert, Status Update and Resolution, rendered
 * from what the incident stores, edited by the sender, then posted to the incident's channels
 * through the notification outbox in the transaction that records them on the timeline.
 */

export const TEMPLATES = ['initial', 'update', 'resolution'] as const
export type TemplateName = (typeof TEMPLATES)[number]

/** What the sender fills in where the incident has nothing to say; a message still holding one is refused. */
export const PLACEHOLDERS = {
  impact: '[Brief description]',
  progress: '[What has been done]',
  nextSteps: '[What will be done next]',
  eta: '[Updated timeline]',
  rootCause: '[Brief explanation]',
  resolution: '[What was done]',
  followUp: '[Any necessary actions]',
} as const

const ALL_PLACEHOLDERS: string[] = Object.values(PLACEHOLDERS)

export interface RenderIncident {
  id: string
  title: string
  severity: IncidentSeverity
  status: IncidentStatus
  impact: string
  lead: { name: string } | null
  durationMinutes: number
  timeline: { at: string; kind: string; detail: Record<string, unknown> }[]
}

export interface RenderExtra {
  /** The post-mortem's root cause, when one is written. */
  rootCause?: string
  /** The post-mortem's open action items, one line each. */
  followUp?: string[]
}

export interface RenderedMessage {
  title: string
  text: string
  /** The placeholders left in the text for the sender to replace. */
  placeholders: string[]
}

const TITLE_MAX = 250
const PROGRESS_ITEMS = 5
const PROGRESS_ITEM_MAX = 300

const words = (status: IncidentStatus) => status.charAt(0).toUpperCase() + status.slice(1)
const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()
const hhmm = (iso: string) => `${iso.slice(11, 16)} UTC`

/** What the incident's lead is called in a message: "@name", or "unassigned". */
const leadOf = (incident: RenderIncident) => (incident.lead ? `@${incident.lead.name}` : 'unassigned')

/** Sent messages that start a new round of progress (the resolution notice of escalation does not). */
const ROUND_STARTS = new Set<string>(['initial', 'update'])
const PROGRESS_KINDS = new Set(['note', 'status', 'severity'])

/**
 * What has been done since the last Initial Alert or Status Update sent: the notes and status
 * and severity changes of the timeline, the latest few, oldest first.
 */
export function progressOf(timeline: RenderIncident['timeline']): string | null {
  let start = 0
  timeline.forEach((event, index) => {
    if (event.kind === 'message' && ROUND_STARTS.has(String(event.detail.template))) start = index + 1
  })
  const items = timeline
    .slice(start)
    .filter((event) => PROGRESS_KINDS.has(event.kind))
    .slice(-PROGRESS_ITEMS)
    .map(
      (event) =>
        `${hhmm(event.at)} ${clip(oneLine(describeEvent(event.kind, event.detail)), PROGRESS_ITEM_MAX)}`,
    )
  return items.length > 0 ? items.join('; ') : null
}

interface Layout {
  heading: string
  title: string
  lines: [string, string][]
}

const layouts: Record<TemplateName, (incident: RenderIncident, extra: RenderExtra) => Layout> = {
  initial: (incident) => ({
    heading: '🚨 **INCIDENT ALERT**',
    title: `[${incident.severity}] Incident #${incident.id}: ${incident.title}`,
    lines: [
      ['Severity', `${incident.severity} (${SEVERITY_DEFINITIONS[incident.severity].name})`],
      ['Status', words(incident.status)],
      ['Impact', oneLine(incident.impact) || PLACEHOLDERS.impact],
      ['ETA', incident.status === 'investigating' ? 'Investigating' : PLACEHOLDERS.eta],
      ['Lead', leadOf(incident)],
    ],
  }),
  update: (incident) => ({
    heading: '📊 **INCIDENT UPDATE**',
    title: `[${incident.severity}] Incident #${incident.id} update: ${incident.title}`,
    lines: [
      ['Status', words(incident.status)],
      ['Progress', progressOf(incident.timeline) ?? PLACEHOLDERS.progress],
      ['Next Steps', PLACEHOLDERS.nextSteps],
      ['ETA', incident.status === 'resolved' ? 'Resolved' : PLACEHOLDERS.eta],
    ],
  }),
  resolution: (incident, extra) => ({
    heading: '✅ **INCIDENT RESOLVED**',
    title: `[RESOLVED] Incident #${incident.id}: ${incident.title}`,
    lines: [
      ['Duration', minutes(incident.durationMinutes)],
      ['Root Cause', oneLine(extra.rootCause ?? '') || PLACEHOLDERS.rootCause],
      ['Resolution', PLACEHOLDERS.resolution],
      [
        'Follow-up',
        extra.followUp && extra.followUp.length > 0 ? extra.followUp.join('; ') : PLACEHOLDERS.followUp,
      ],
    ],
  }),
}

/** One of the runbook's templates filled from the incident; what it cannot fill stays a placeholder. */
export function renderTemplate(
  incident: RenderIncident,
  template: TemplateName,
  extra: RenderExtra = {},
): RenderedMessage {
  const layout = layouts[template](incident, extra)
  const text = [layout.heading, ...layout.lines.map(([label, value]) => `**${label}**: ${value}`)].join('\n')
  return { title: clip(layout.title, TITLE_MAX), text, placeholders: placeholdersIn(text) }
}

export function placeholdersIn(text: string): string[] {
  return ALL_PLACEHOLDERS.filter((placeholder) => text.includes(placeholder))
}

/** The post-mortem's root cause and open action items, for the resolution message. */
async function postmortemExtra(ctx: AppContext, incidentId: string): Promise<RenderExtra> {
  const postmortem = await ctx.db
    .selectFrom('postmortems')
    .select('root_cause')
    .where('incident_id', '=', incidentId)
    .executeTakeFirst()
  if (!postmortem) return {}
  const actions = await ctx.db
    .selectFrom('postmortem_actions')
    .select(['title', 'owner', 'due_date'])
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'open')
    .orderBy('due_date')
    .orderBy('id')
    .execute()
  return {
    rootCause: postmortem.root_cause,
    followUp: actions.map((a) => `${oneLine(a.title)} (${oneLine(a.owner)}, due ${a.due_date})`),
  }
}

export interface MessagePreview extends RenderedMessage {
  template: TemplateName
  channels: string[]
}

/** The message as it would go out now, for the sender to edit. */
export async function previewMessage(
  ctx: AppContext,
  incidentId: string,
  template: TemplateName,
): Promise<MessagePreview> {
  const incident = await getIncident(ctx, incidentId)
  const extra = template === 'resolution' ? await postmortemExtra(ctx, incidentId) : {}
  return { template, ...renderTemplate(incident, template, extra), channels: incident.channels }
}

export interface MessageInput {
  template: TemplateName
  title?: string
  text: string
  /** Instead of the incident's own channels. */
  channels?: string[]
}

export interface MessageResult {
  queued: number
  channels: string[]
  unreached: { channel: string; reason: string }[]
}

const SEVERITY_OF: Record<IncidentSeverity, Severity> = {
  P0: 'critical',
  P1: 'high',
  P2: 'medium',
  P3: 'low',
}

/**
 * Posts the (edited) message to each channel, one outbox message each, with its timeline entry
 * and `incident_message` audit entry, all in one transaction. A channel that is not configured is
 * a 400 naming it and nothing is written; a disabled one is stored as a dead letter (retried
 * once it is enabled) and reported as unreached. With an `Idempotency-Key`, a retried request
 * answers the first result and sends nothing again.
 */
export async function sendIncidentMessage(
  ctx: AppContext,
  incidentId: string,
  input: MessageInput,
  change: Change & { idempotencyKey?: string },
): Promise<{ status: number; body: MessageResult; replayed: boolean }> {
  const incident = await getIncident(ctx, incidentId)
  if (input.template === 'resolution' && incident.status !== 'resolved')
    throw conflict('The incident is not resolved: resolve it before sending the resolution message')
  const left = placeholdersIn(`${input.title ?? ''}\n${input.text}`)
  if (left.length > 0)
    throw new AppError(
      400,
      'UNFILLED_PLACEHOLDERS',
      `Replace the placeholders before sending: ${left.join(', ')}`,
      left.map((placeholder) => ({ path: '/text', message: `still holds ${placeholder}` })),
    )
  const wanted = [...new Set((input.channels ?? incident.channels).map((c) => c.trim()).filter(Boolean))]
  if (wanted.length === 0)
    throw new AppError(400, 'NO_CHANNELS', 'The incident has no channels: name the channels to post to')
  const configured = new Map((await listChannels(ctx)).map((channel) => [channel.name, channel]))
  const missing = wanted.filter((name) => !configured.has(name))
  if (missing.length > 0)
    throw new AppError(
      400,
      'UNKNOWN_CHANNEL',
      `Channel${missing.length > 1 ? 's' : ''} not configured: ${missing.join(', ')} ` +
        '(slack needs SLACK_WEBHOOK_URL, email SMTP_URL with NOTIFY_EMAIL_TO; others are added under notification channels)',
      missing.map((name) => ({ path: '/channels', message: `${name} is not configured` })),
    )
  const title = input.title?.trim() || renderTemplate(incident, input.template).title
  const by = actorLabel(change.actor)
  // A retry with the same Idempotency-Key addresses the same outbox messages.
  const messageKey = change.idempotencyKey
    ? createHash('sha256').update(change.idempotencyKey).digest('hex').slice(0, 32)
    : randomUUID()
  const request = { incidentId, ...input, channels: wanted }
  const result = await idempotent(ctx, 'incident-messages', change.idempotencyKey, request, async (tx) => {
    const now = ctx.clock.now()
    const row = await tx
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', incidentId)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw new AppError(404, 'NOT_FOUND', 'No such incident')
    const body: MessageResult = { queued: 0, channels: wanted, unreached: [] }
    for (const name of wanted) {
      await enqueueNotification(ctx, tx, {
        target: { channel: name },
        idempotencyKey: `incident:${incidentId}:message:${messageKey}:${name}`,
        title,
        text: input.text,
        severity: input.template === 'resolution' ? 'info' : SEVERITY_OF[incident.severity],
        fields: [
          { label: 'Incident', value: clip(`#${incident.id} ${incident.title}`, 2000) },
          { label: 'Severity', value: incident.severity },
          { label: 'Status', value: words(incident.status) },
        ],
        link: `${ctx.config.publicUrl}/incidents/${incidentId}`,
        source: `incident:${incidentId}`,
      })
      if (configured.get(name)!.enabled) body.queued += 1
      else body.unreached.push({ channel: name, reason: 'channel disabled: kept as a dead letter to retry' })
    }
    await recordEvent(tx, incidentId, now, 'message', by, {
      template: input.template,
      title,
      text: input.text,
      channels: wanted,
      unreached: body.unreached,
    })
    await tx.updateTable('incidents').set({ updated_at: now }).where('id', '=', incidentId).execute()
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_message',
      target: { type: 'incident', id: incidentId },
      request: change.request,
      newValues: { template: input.template, title, channels: wanted, queued: body.queued },
    })
    return { status: 201, body }
  })
  if (!result.replayed) {
    if ((result.body as MessageResult).queued > 0) wakeDelivery(ctx)
    await publishBusinessEvent(ctx, 'incident.changed', { id: incidentId })
  }
  return { status: result.status, body: result.body as MessageResult, replayed: result.replayed }
}
