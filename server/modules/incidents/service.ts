import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { IncidentSeverity, IncidentStatus, IncidentsTable, Tables } from '../../platform/db/schema.ts'
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import { actorLabel, type Change } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { wakeDelivery } from '../notifications/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { POSTMORTEM_SEVERITIES, SECURITY_CHECKLIST, SEVERITY_DEFINITIONS } from './defaults.ts'
import { announceResolved } from './escalation.ts'
import { ensurePostmortem } from './postmortem.ts'
import { recordEvent } from './timeline.ts'

/**
 * Incidents as people handle them: opened by hand, by API (the runbook's request) or from a
 * firing critical alert; moved through their statuses; acknowledged by their lead (which stops
 * escalation); resolved, with the duration and the response SLA computed from what is stored.
 */

export type IncidentRow = Selectable<IncidentsTable>
type Tx = Transaction<Tables>

export type { Change }

export interface IncidentInput {
  title: string
  severity: IncidentSeverity
  status?: IncidentStatus
  kind?: 'standard' | 'security'
  impact?: string
  /** A user's id or e-mail address. */
  lead?: string | null
  participants?: string[]
  components?: string[]
  channels?: string[]
  detectedAt?: string
}

export type IncidentPatch = Partial<Omit<IncidentInput, 'kind' | 'detectedAt'>>

export interface IncidentView {
  id: string
  title: string
  kind: 'standard' | 'security'
  severity: IncidentSeverity
  status: IncidentStatus
  impact: string
  lead: { id: string; name: string; email: string } | null
  participants: string[]
  components: string[]
  channels: string[]
  source: IncidentRow['source']
  detectedAt: string
  createdAt: string
  createdBy: string
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  resolvedAt: string | null
  updatedAt: string
  /** From detection to resolution (or to now while open), in whole minutes. */
  durationMinutes: number
  sla: {
    responseMinutes: number
    dueAt: string
    /** pending: not yet acknowledged, still in time; met / breached once decided. */
    state: 'pending' | 'met' | 'breached'
  }
  postmortem: { required: boolean; status: 'missing' | 'draft' | 'published' }
  alertCount: number
}

/** Default channels of a new incident: the runbook's incident channel on Slack. */
const DEFAULT_CHANNELS = ['slack']

export const MINUTE = 60_000

type Joined = IncidentRow & {
  lead_name: string | null
  lead_email: string | null
  postmortem_status: 'draft' | 'published' | null
  alert_count: number | string
}

function slaOf(row: IncidentRow, now: Date): IncidentView['sla'] {
  const due = row.response_due_at
  const state = row.acknowledged_at
    ? row.acknowledged_at <= due
      ? 'met'
      : 'breached'
    : now > due
      ? 'breached'
      : 'pending'
  return {
    responseMinutes: SEVERITY_DEFINITIONS[row.severity].responseMinutes,
    dueAt: due.toISOString(),
    state,
  }
}

export function durationMinutes(row: Pick<IncidentRow, 'detected_at' | 'resolved_at'>, now: Date): number {
  return Math.max(0, Math.round(((row.resolved_at ?? now).getTime() - row.detected_at.getTime()) / MINUTE))
}

export function viewOf(row: Joined, now: Date): IncidentView {
  return {
    id: row.id,
    title: row.title,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    impact: row.impact,
    lead:
      row.lead_user_id && row.lead_name !== null
        ? { id: row.lead_user_id, name: row.lead_name, email: row.lead_email ?? '' }
        : null,
    participants: row.participants,
    components: row.components,
    channels: row.channels,
    source: row.source,
    detectedAt: row.detected_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    updatedAt: row.updated_at.toISOString(),
    durationMinutes: durationMinutes(row, now),
    sla: slaOf(row, now),
    postmortem: {
      required: POSTMORTEM_SEVERITIES.includes(row.severity),
      status: row.postmortem_status ?? 'missing',
    },
    alertCount: Number(row.alert_count),
  }
}

function incidentsQuery(db: Db | Tx) {
  return db
    .selectFrom('incidents')
    .leftJoin('users', 'users.id', 'incidents.lead_user_id')
    .leftJoin('postmortems', 'postmortems.incident_id', 'incidents.id')
    .selectAll('incidents')
    .select((eb) => [
      'users.name as lead_name',
      'users.email as lead_email',
      'postmortems.status as postmortem_status',
      eb
        .selectFrom('incident_alerts')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('incident_alerts.incident_id', '=', 'incidents.id')
        .as('alert_count'),
    ])
}

export async function loadIncident(db: Db | Tx, id: string, now: Date): Promise<IncidentView> {
  const row = (await incidentsQuery(db).where('incidents.id', '=', id).executeTakeFirst()) as
    | Joined
    | undefined
  if (!row) throw notFound('No such incident')
  return viewOf(row, now)
}

export interface IncidentFilter {
  state?: 'open' | 'resolved' | 'all'
  severity?: IncidentSeverity
  kind?: 'standard' | 'security'
  limit: number
  cursor?: string
}

/** Newest first; `open` is everything not resolved. */
export async function listIncidents(ctx: AppContext, filter: IncidentFilter) {
  let query = incidentsQuery(ctx.db)
  if (filter.state === 'open') query = query.where('incidents.status', '<>', 'resolved')
  if (filter.state === 'resolved') query = query.where('incidents.status', '=', 'resolved')
  if (filter.severity) query = query.where('incidents.severity', '=', filter.severity)
  if (filter.kind) query = query.where('incidents.kind', '=', filter.kind)
  if (filter.cursor) {
    const [id] = decodeCursor(filter.cursor, 1)
    if (!id || !/^\d+$/.test(id)) throw badRequest('Invalid cursor')
    query = query.where('incidents.id', '<', id)
  }
  const rows = (await query
    .orderBy('incidents.id', 'desc')
    .limit(filter.limit + 1)
    .execute()) as Joined[]
  const now = ctx.clock.now()
  const page = rows.slice(0, filter.limit)
  return {
    items: page.map((row) => viewOf(row, now)),
    nextCursor: rows.length > filter.limit ? encodeCursor([page[page.length - 1]!.id]) : null,
  }
}

/** The incident with its timeline, attached alerts and (security incidents) checklist. */
export async function getIncident(ctx: AppContext, id: string) {
  const now = ctx.clock.now()
  const incident = await loadIncident(ctx.db, id, now)
  const [events, alerts, checklist] = await Promise.all([
    ctx.db.selectFrom('incident_events').selectAll().where('incident_id', '=', id).orderBy('id').execute(),
    ctx.db
      .selectFrom('incident_alerts')
      .innerJoin('alerts', 'alerts.id', 'incident_alerts.alert_id')
      .innerJoin('alert_rules', 'alert_rules.id', 'alerts.rule_id')
      .select([
        'alerts.id',
        'alert_rules.name as rule_name',
        'alerts.severity',
        'alerts.state',
        'alerts.summary',
        'alerts.fired_at',
        'incident_alerts.attached_at',
      ])
      .where('incident_alerts.incident_id', '=', id)
      .orderBy('incident_alerts.attached_at')
      .execute(),
    ctx.db
      .selectFrom('incident_checklist')
      .selectAll()
      .where('incident_id', '=', id)
      .orderBy('position')
      .execute(),
  ])
  return {
    ...incident,
    timeline: events.map((e) => ({
      id: e.id,
      at: e.at.toISOString(),
      kind: e.kind,
      actor: e.actor,
      detail: e.detail,
    })),
    alerts: alerts.map((a) => ({
      id: a.id,
      ruleName: a.rule_name,
      severity: a.severity,
      state: a.state,
      summary: a.summary,
      firedAt: a.fired_at?.toISOString() ?? null,
      attachedAt: a.attached_at.toISOString(),
    })),
    checklist: checklist.map((step) => ({
      key: step.key,
      phase: step.phase,
      title: step.title,
      dueAt: step.due_at.toISOString(),
      doneAt: step.done_at?.toISOString() ?? null,
      doneBy: step.done_by,
      note: step.note,
      overdue: step.done_at === null && step.due_at < now,
    })),
  }
}

/** A lead named by user id or e-mail address; an unknown one is a 400, not a silent null. */
async function leadId(db: Db, lead: string | null | undefined): Promise<string | null | undefined> {
  if (lead === undefined || lead === null) return lead
  const user = await db
    .selectFrom('users')
    .select(['id', 'disabled'])
    .where((eb) => eb.or([eb('id', '=', lead), eb(eb.fn('lower', ['email']), '=', lead.toLowerCase())]))
    .executeTakeFirst()
  if (!user) throw badRequest(`No user "${lead}" to lead the incident (give a user id or e-mail address)`)
  if (user.disabled) throw badRequest(`User "${lead}" is disabled`)
  return user.id
}

function cleanList(values: string[] | undefined): string | undefined {
  if (values === undefined) return undefined
  return JSON.stringify([...new Set(values.map((v) => v.trim()).filter((v) => v.length > 0))])
}

export interface CreateOptions extends Change {
  source: IncidentRow['source']
  /** Inside the alert evaluation's transaction (opened from an alert). */
  tx?: Tx
}

/** Opens an incident. The response SLA and escalation count from its creation. */
export async function createIncident(
  ctx: AppContext,
  input: IncidentInput,
  options: CreateOptions,
): Promise<IncidentView> {
  const now = ctx.clock.now()
  const detectedAt = input.detectedAt ? new Date(input.detectedAt) : now
  if (Number.isNaN(detectedAt.getTime())) throw badRequest('detectedAt is not a date-time')
  if (detectedAt > now) throw badRequest('detectedAt is in the future')
  const lead = options.tx ? (input.lead ?? null) : await leadId(ctx.db, input.lead)
  const status = input.status ?? 'investigating'
  const write = async (tx: Tx) => {
    const row = await tx
      .insertInto('incidents')
      .values({
        title: input.title.trim(),
        kind: input.kind ?? 'standard',
        severity: input.severity,
        status,
        impact: input.impact ?? '',
        lead_user_id: lead ?? null,
        participants: cleanList(input.participants) ?? '[]',
        components: cleanList(input.components) ?? '[]',
        channels: cleanList(input.channels) ?? JSON.stringify(DEFAULT_CHANNELS),
        source: options.source,
        detected_at: detectedAt,
        created_at: now,
        created_by: actorLabel(options.actor),
        response_due_at: new Date(
          now.getTime() + SEVERITY_DEFINITIONS[input.severity].responseMinutes * MINUTE,
        ),
        escalation_anchor_at: now,
        resolved_at: status === 'resolved' ? now : null,
        updated_at: now,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow()
    await recordEvent(tx, row.id, now, 'created', actorLabel(options.actor), {
      severity: input.severity,
      status,
      source: options.source,
    })
    if (input.kind === 'security')
      await tx
        .insertInto('incident_checklist')
        .values(
          SECURITY_CHECKLIST.map((step, position) => ({
            incident_id: row.id,
            key: step.key,
            position,
            phase: step.phase,
            title: step.title,
            due_at: new Date(detectedAt.getTime() + step.dueMinutes * MINUTE),
          })),
        )
        .execute()
    if (status === 'resolved' && POSTMORTEM_SEVERITIES.includes(input.severity))
      await ensurePostmortem(tx, row.id, now)
    await recordAudit(tx, {
      actor: options.actor,
      action: 'incident_create',
      target: { type: 'incident', id: row.id },
      request: options.request,
      newValues: { title: input.title, severity: input.severity, status, source: options.source },
    })
    return row.id
  }
  if (options.tx) {
    const id = await write(options.tx)
    return loadIncident(options.tx, id, now)
  }
  const id = await ctx.db.transaction().execute(write)
  await publishBusinessEvent(ctx, 'incident.changed', { id })
  return loadIncident(ctx.db, id, now)
}

/** Changes what was given; each change is a timeline entry. Resolving a P0/P1 opens its post-mortem. */
export async function updateIncident(
  ctx: AppContext,
  id: string,
  patch: IncidentPatch,
  change: Change,
): Promise<IncidentView> {
  const now = ctx.clock.now()
  const lead = await leadId(ctx.db, patch.lead)
  const by = actorLabel(change.actor)
  let resolvedNow = false
  let queued = 0
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound('No such incident')
    const set: Partial<Record<keyof IncidentRow, unknown>> = {}
    const changed: Record<string, { from: unknown; to: unknown }> = {}
    const note = (field: string, from: unknown, to: unknown) => {
      if (JSON.stringify(from) !== JSON.stringify(to)) changed[field] = { from, to }
    }
    if (patch.title !== undefined) note('title', row.title, patch.title.trim())
    if (patch.impact !== undefined) note('impact', row.impact, patch.impact)
    for (const field of ['participants', 'components', 'channels'] as const) {
      const list = cleanList(patch[field])
      if (list !== undefined) note(field, row[field], JSON.parse(list))
    }
    if (lead !== undefined) note('lead', row.lead_user_id, lead)
    if (patch.severity !== undefined) note('severity', row.severity, patch.severity)
    if (patch.status !== undefined) note('status', row.status, patch.status)
    if (Object.keys(changed).length === 0) return
    for (const [field, { to }] of Object.entries(changed)) {
      if (field === 'lead') set.lead_user_id = to
      else if (['participants', 'components', 'channels'].includes(field))
        set[field as 'channels'] = JSON.stringify(to)
      else set[field as 'title'] = to
    }
    if (changed.severity) {
      // The response time is the new severity's, still counted from the opening.
      const minutes = SEVERITY_DEFINITIONS[patch.severity!].responseMinutes
      set.response_due_at = new Date(row.created_at.getTime() + minutes * MINUTE)
      await recordEvent(tx, id, now, 'severity', by, changed.severity)
    }
    if (changed.status) {
      if (patch.status === 'resolved') {
        set.resolved_at = now
        resolvedNow = true
      } else if (row.status === 'resolved') set.resolved_at = null
      await recordEvent(tx, id, now, 'status', by, changed.status)
    }
    if (changed.lead) await recordEvent(tx, id, now, 'lead', by, changed.lead)
    const rest = Object.fromEntries(
      Object.entries(changed).filter(([field]) => !['severity', 'status', 'lead'].includes(field)),
    )
    if (Object.keys(rest).length > 0) await recordEvent(tx, id, now, 'updated', by, rest)
    await tx
      .updateTable('incidents')
      .set({ ...(set as object), updated_at: now })
      .where('id', '=', id)
      .execute()
    const severity = patch.severity ?? row.severity
    if (resolvedNow && POSTMORTEM_SEVERITIES.includes(severity)) await ensurePostmortem(tx, id, now)
    if (resolvedNow) queued = await announceResolved(ctx, tx, id, now)
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_update',
      target: { type: 'incident', id },
      request: change.request,
      oldValues: Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.from])),
      newValues: Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.to])),
    })
  })
  if (queued > 0) wakeDelivery(ctx)
  await publishBusinessEvent(ctx, 'incident.changed', { id })
  return loadIncident(ctx.db, id, now)
}

/**
 * The lead (or whoever acknowledges, who then becomes the lead when there is none) takes the
 * incident: escalation stops, and the response SLA is met if it was in time.
 */
export async function acknowledgeIncident(
  ctx: AppContext,
  id: string,
  change: Change,
): Promise<IncidentView> {
  const now = ctx.clock.now()
  const by = actorLabel(change.actor)
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('incidents')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound('No such incident')
    if (row.status === 'resolved') throw conflict('The incident is resolved')
    if (row.acknowledged_at) throw conflict('The incident is already acknowledged')
    const becomesLead = row.lead_user_id === null && change.actor.type === 'user'
    await tx
      .updateTable('incidents')
      .set({
        acknowledged_at: now,
        acknowledged_by: by,
        updated_at: now,
        ...(becomesLead ? { lead_user_id: change.actor.id } : {}),
      })
      .where('id', '=', id)
      .execute()
    const late = now > row.response_due_at
    await recordEvent(tx, id, now, 'acknowledged', by, {
      withinSla: !late,
      minutes: Math.round((now.getTime() - row.created_at.getTime()) / MINUTE),
    })
    if (becomesLead) await recordEvent(tx, id, now, 'lead', by, { from: null, to: change.actor.id })
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_acknowledge',
      target: { type: 'incident', id },
      request: change.request,
    })
  })
  await publishBusinessEvent(ctx, 'incident.changed', { id })
  return loadIncident(ctx.db, id, now)
}

export async function addNote(ctx: AppContext, id: string, text: string, change: Change) {
  const now = ctx.clock.now()
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!row) throw notFound('No such incident')
    await recordEvent(tx, id, now, 'note', actorLabel(change.actor), { text })
    await tx.updateTable('incidents').set({ updated_at: now }).where('id', '=', id).execute()
  })
  await publishBusinessEvent(ctx, 'incident.changed', { id })
  return getIncident(ctx, id)
}
