import type { Selectable, Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { PostmortemActionsTable, PostmortemsTable, Tables } from '../../platform/db/schema.ts'
import { AppError, badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { type BlameWarning, blamelessWarnings, PROMPTS, SECTIONS, type Section } from './blameless.ts'
import { POSTMORTEM_SEVERITIES } from './defaults.ts'
import { postmortemMarkdown } from './postmortem-markdown.ts'
import { type Change, type IncidentView, loadIncident } from './service.ts'
import { recordEvent } from './timeline.ts'

export { blamelessWarnings, PROMPTS, SECTIONS } from './blameless.ts'
export { postmortemMarkdown } from './postmortem-markdown.ts'

type Tx = Transaction<Tables>

/**
 * Post-mortems: required once a P0 or P1 is resolved (opened then as a draft with the incident's
 * timeline), and written by hand for any other incident through PUT. Sections, action items with
 * an owner, a due date and a state, blameless-wording warnings, publishing, Markdown export.
 */

/**
 * Opens the post-mortem of a resolved P0/P1 incident as a draft, its timeline prefilled from the
 * incident's own (once: a reopened and again resolved incident keeps what was written).
 */
export async function ensurePostmortem(tx: Tx, incidentId: string, now: Date): Promise<void> {
  const events = await tx
    .selectFrom('incident_events')
    .select(['at', 'kind', 'actor', 'detail'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute()
  const timeline = events.map((e) => `- ${e.at.toISOString()} ${describeEvent(e.kind, e.detail)}`).join('\n')
  await tx
    .insertInto('postmortems')
    .values({ incident_id: incidentId, timeline, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .execute()
}

/** One timeline entry as a line of text. */
export function describeEvent(kind: string, detail: Record<string, unknown>): string {
  const change = detail as { from?: unknown; to?: unknown }
  switch (kind) {
    case 'created':
      return `Incident opened (${detail.severity}, ${detail.status}, from ${detail.source})`
    case 'status':
      return `Status ${change.from} → ${change.to}`
    case 'severity':
      return `Severity ${change.from} → ${change.to}`
    case 'lead':
      return `Lead ${change.to ? 'set' : 'cleared'}`
    case 'acknowledged':
      return `Acknowledged after ${detail.minutes} min${detail.withinSla ? '' : ' (response SLA missed)'}`
    case 'note':
      return `Note: ${detail.text}`
    case 'alert_attached':
      return `Alert attached: ${detail.rule} (${detail.severity})`
    case 'escalated':
      return `Escalation step ${detail.step} (${((detail.targets as string[] | undefined) ?? []).join(', ')})`
    case 'message':
      return `Message sent: ${detail.title ?? detail.template}`
    case 'sla_breached':
      return `Response SLA breached (${detail.responseMinutes} min)`
    case 'checklist':
      return `Checklist: ${detail.title} ${detail.done ? 'done' : 'reopened'}`
    case 'postmortem':
      return `Post-mortem ${detail.change ?? 'updated'}`
    default:
      return kind
  }
}

export type ActionState = 'open' | 'done' | 'dropped'

export interface ActionView {
  id: string
  title: string
  owner: string
  dueDate: string
  state: ActionState
  /** Open and due before today (UTC). */
  overdue: boolean
  createdAt: string
  updatedAt: string
  doneAt: string | null
}

export interface PostmortemView {
  incidentId: string
  status: 'draft' | 'published'
  /** The incident's severity requires a post-mortem (P0, P1). */
  required: boolean
  sections: Record<Section, string>
  actions: ActionView[]
  warnings: (BlameWarning & { section: Section | 'actions' })[]
  prompts: typeof PROMPTS
  /** What publishing still needs (empty: it can be published). */
  missingToPublish: string[]
  createdAt: string
  updatedAt: string
  updatedBy: string | null
  publishedAt: string | null
}

const COLUMNS = {
  summary: 'summary',
  impact: 'impact',
  timeline: 'timeline',
  rootCause: 'root_cause',
  wentWell: 'went_well',
  wentBadly: 'went_badly',
} as const satisfies Record<Section, keyof PostmortemsTable>

/** Calendar days are UTC: the app has no business time zone. */
export const utcDay = (at: Date) => at.toISOString().slice(0, 10)

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A real calendar date "YYYY-MM-DD" (2026-02-30 is refused), or a 400. */
export function checkDate(value: string, field = 'dueDate'): string {
  const match = DATE.exec(value)
  const date = match ? new Date(`${value}T00:00:00Z`) : null
  if (!date || Number.isNaN(date.getTime()) || utcDay(date) !== value)
    throw badRequest(`${field} must be a calendar date YYYY-MM-DD`, [
      { path: `/${field}`, message: 'not a date' },
    ])
  return value
}

function actionView(row: Selectable<PostmortemActionsTable>, today: string): ActionView {
  return {
    id: String(row.id),
    title: row.title,
    owner: row.owner,
    dueDate: row.due_date,
    state: row.state,
    overdue: row.state === 'open' && row.due_date < today,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    doneAt: row.done_at?.toISOString() ?? null,
  }
}

const PUBLISH_NEEDS: [string, (s: Record<Section, string>, actions: number, resolved: boolean) => boolean][] =
  [
    ['the incident resolved', (_s, _a, resolved) => resolved],
    ['summary', (s) => s.summary.trim() !== ''],
    ['rootCause', (s) => s.rootCause.trim() !== ''],
    ['at least one action item', (_s, actions) => actions > 0],
  ]

function missingToPublish(sections: Record<Section, string>, actions: number, resolved: boolean): string[] {
  return PUBLISH_NEEDS.filter(([, met]) => !met(sections, actions, resolved)).map(([need]) => need)
}

/** Names blaming wording could point at: the incident's people, action owners and the app's users. */
async function peopleOf(db: Db | Tx, incident: IncidentView, owners: string[]): Promise<string[]> {
  const users = await db.selectFrom('users').select('name').execute()
  return [
    ...incident.participants,
    ...(incident.lead ? [incident.lead.name] : []),
    ...owners,
    ...users.map((u) => u.name),
  ]
}

async function loadPostmortem(
  db: Db | Tx,
  incident: IncidentView,
  now: Date,
): Promise<PostmortemView | null> {
  const row = await db
    .selectFrom('postmortems')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .executeTakeFirst()
  if (!row) return null
  const rows = await db
    .selectFrom('postmortem_actions')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .orderBy('id')
    .execute()
  const today = utcDay(now)
  const actions = rows.map((r) => actionView(r, today))
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, row[COLUMNS[s]]])) as Record<Section, string>
  const people = await peopleOf(
    db,
    incident,
    actions.map((a) => a.owner),
  )
  const warnings: PostmortemView['warnings'] = [
    ...SECTIONS.flatMap((section) =>
      blamelessWarnings(sections[section], people).map((w) => ({ ...w, section })),
    ),
    ...blamelessWarnings(actions.map((a) => a.title).join('\n'), people).map((w) => ({
      ...w,
      section: 'actions' as const,
    })),
  ]
  return {
    incidentId: incident.id,
    status: row.status,
    required: POSTMORTEM_SEVERITIES.includes(incident.severity),
    sections,
    actions,
    warnings,
    prompts: PROMPTS,
    missingToPublish: missingToPublish(sections, actions.length, incident.status === 'resolved'),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    updatedBy: row.updated_by,
    publishedAt: row.published_at?.toISOString() ?? null,
  }
}

const noPostmortem = (id: string) =>
  notFound(`Incident #${id} has no post-mortem (start one with PUT /api/incidents/${id}/postmortem)`)

/** 404 when the incident does not exist or has no post-mortem yet. */
export async function getPostmortem(ctx: AppContext, incidentId: string): Promise<PostmortemView> {
  const now = ctx.clock.now()
  const incident = await loadIncident(ctx.db, incidentId, now)
  const view = await loadPostmortem(ctx.db, incident, now)
  if (!view) throw noPostmortem(incidentId)
  return view
}

/** The post-mortem as a Markdown file, with the incident's recorded timeline at the end. */
export async function exportPostmortem(
  ctx: AppContext,
  incidentId: string,
): Promise<{ filename: string; text: string }> {
  const now = ctx.clock.now()
  const incident = await loadIncident(ctx.db, incidentId, now)
  const postmortem = await loadPostmortem(ctx.db, incident, now)
  if (!postmortem) throw noPostmortem(incidentId)
  const events = await ctx.db
    .selectFrom('incident_events')
    .select(['at', 'kind', 'detail'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute()
  const timeline = events.map((e) => ({ at: e.at.toISOString(), line: describeEvent(e.kind, e.detail) }))
  return {
    filename: `incident-${incidentId}-postmortem.md`,
    text: postmortemMarkdown(incident, postmortem, timeline),
  }
}

export type PostmortemPatch = Partial<Record<Section, string>> & { status?: 'draft' | 'published' }

const incomplete = (missing: string[]) =>
  new AppError(409, 'POSTMORTEM_INCOMPLETE', `Publishing needs: ${missing.join(', ')}`, { missing })

/**
 * Writes the given sections and status; starts the post-mortem (timeline prefilled) when the
 * incident has none, for any incident. A published post-mortem keeps what publishing needs:
 * the incident resolved, a summary, a root cause and at least one action item. Starting,
 * publishing and unpublishing are timeline entries; every change is a `postmortem_update`.
 */
export async function updatePostmortem(
  ctx: AppContext,
  incidentId: string,
  patch: PostmortemPatch,
  change: Change,
): Promise<{ created: boolean; postmortem: PostmortemView }> {
  const now = ctx.clock.now()
  const by = actorLabel(change.actor)
  const incident = await loadIncident(ctx.db, incidentId, now)
  let created = false
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .selectFrom('incidents')
      .select('id')
      .where('id', '=', incidentId)
      .forUpdate()
      .executeTakeFirstOrThrow()
    let row = await tx
      .selectFrom('postmortems')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .executeTakeFirst()
    if (!row) {
      await ensurePostmortem(tx, incidentId, now)
      row = await tx
        .selectFrom('postmortems')
        .selectAll()
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow()
      created = true
    }
    const sections = Object.fromEntries(SECTIONS.map((s) => [s, patch[s] ?? row[COLUMNS[s]]])) as Record<
      Section,
      string
    >
    const changed = SECTIONS.filter((s) => patch[s] !== undefined && patch[s] !== row[COLUMNS[s]])
    const status = patch.status ?? row.status
    if (status === 'published') {
      const actions = await tx
        .selectFrom('postmortem_actions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow()
      const missing = missingToPublish(sections, Number(actions.n), incident.status === 'resolved')
      if (missing.length > 0) throw incomplete(missing)
    }
    if (!created && changed.length === 0 && status === row.status) return
    const set: Record<string, unknown> = Object.fromEntries(changed.map((s) => [COLUMNS[s], sections[s]]))
    if (status !== row.status) {
      set.status = status
      set.published_at = status === 'published' ? now : null
    }
    await tx
      .updateTable('postmortems')
      .set({ ...set, updated_at: now, updated_by: by })
      .where('incident_id', '=', incidentId)
      .execute()
    const step = created
      ? 'started'
      : status !== row.status
        ? status === 'published'
          ? 'published'
          : 'unpublished'
        : null
    if (step) await recordEvent(tx, incidentId, now, 'postmortem', by, { change: step, status })
    await recordAudit(tx, {
      actor: change.actor,
      action: 'postmortem_update',
      target: { type: 'incident', id: incidentId },
      request: change.request,
      oldValues: created ? undefined : { status: row.status },
      newValues: { sections: changed, status, ...(created ? { created: true } : {}) },
    })
  })
  await publishBusinessEvent(ctx, 'incident.changed', { id: incidentId })
  return { created, postmortem: (await loadPostmortem(ctx.db, incident, now))! }
}

export interface ActionInput {
  title: string
  owner: string
  dueDate: string
  state?: ActionState
}

/** Locks the post-mortem for a change to its action items; 404 without one. */
async function lockPostmortem(tx: Tx, incidentId: string) {
  const row = await tx
    .selectFrom('postmortems')
    .select(['status'])
    .where('incident_id', '=', incidentId)
    .forUpdate()
    .executeTakeFirst()
  if (!row) throw noPostmortem(incidentId)
  return row
}

async function actionWrite<T>(
  ctx: AppContext,
  incidentId: string,
  change: Change,
  write: (tx: Tx, now: Date) => Promise<{ result: T; audit: Record<string, unknown> }>,
): Promise<T> {
  const now = ctx.clock.now()
  await loadIncident(ctx.db, incidentId, now)
  const result = await ctx.db.transaction().execute(async (tx) => {
    const { result, audit } = await write(tx, now)
    await tx
      .updateTable('postmortems')
      .set({ updated_at: now, updated_by: actorLabel(change.actor) })
      .where('incident_id', '=', incidentId)
      .execute()
    await recordAudit(tx, {
      actor: change.actor,
      action: 'postmortem_update',
      target: { type: 'incident', id: incidentId },
      request: change.request,
      newValues: audit,
    })
    return result
  })
  await publishBusinessEvent(ctx, 'incident.changed', { id: incidentId })
  return result
}

const trimmed = (value: string, field: string) => {
  const text = value.trim()
  if (text === '') throw badRequest(`${field} may not be blank`, [{ path: `/${field}`, message: 'blank' }])
  return text
}

export function createAction(
  ctx: AppContext,
  incidentId: string,
  input: ActionInput,
  change: Change,
): Promise<ActionView> {
  const title = trimmed(input.title, 'title')
  const owner = trimmed(input.owner, 'owner')
  const dueDate = checkDate(input.dueDate)
  return actionWrite(ctx, incidentId, change, async (tx, now) => {
    await lockPostmortem(tx, incidentId)
    const state = input.state ?? 'open'
    const row = await tx
      .insertInto('postmortem_actions')
      .values({
        incident_id: incidentId,
        title,
        owner,
        due_date: dueDate,
        state,
        created_at: now,
        updated_at: now,
        done_at: state === 'done' ? now : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    return {
      result: actionView(row, utcDay(now)),
      audit: { action: String(row.id), created: true, owner, dueDate, state },
    }
  })
}

async function findAction(tx: Tx, incidentId: string, actionId: string) {
  const row = await tx
    .selectFrom('postmortem_actions')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('id', '=', actionId)
    .forUpdate()
    .executeTakeFirst()
  if (!row) throw notFound(`Incident #${incidentId} has no action item ${actionId}`)
  return row
}

export function updateAction(
  ctx: AppContext,
  incidentId: string,
  actionId: string,
  patch: Partial<ActionInput>,
  change: Change,
): Promise<ActionView> {
  const set: Record<string, unknown> = {}
  if (patch.title !== undefined) set.title = trimmed(patch.title, 'title')
  if (patch.owner !== undefined) set.owner = trimmed(patch.owner, 'owner')
  if (patch.dueDate !== undefined) set.due_date = checkDate(patch.dueDate)
  return actionWrite(ctx, incidentId, change, async (tx, now) => {
    await lockPostmortem(tx, incidentId)
    const row = await findAction(tx, incidentId, actionId)
    if (patch.state !== undefined && patch.state !== row.state) {
      set.state = patch.state
      set.done_at = patch.state === 'done' ? now : null
    }
    const updated = await tx
      .updateTable('postmortem_actions')
      .set({ ...set, updated_at: now })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    return {
      result: actionView(updated, utcDay(now)),
      audit: { action: actionId, changed: Object.keys(set), state: updated.state },
    }
  })
}

/** A published post-mortem keeps at least one action item (drop it instead). */
export function deleteAction(
  ctx: AppContext,
  incidentId: string,
  actionId: string,
  change: Change,
): Promise<{ deleted: true }> {
  return actionWrite(ctx, incidentId, change, async (tx) => {
    const postmortem = await lockPostmortem(tx, incidentId)
    const row = await findAction(tx, incidentId, actionId)
    if (postmortem.status === 'published') {
      const count = await tx
        .selectFrom('postmortem_actions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('incident_id', '=', incidentId)
        .executeTakeFirstOrThrow()
      if (Number(count.n) <= 1)
        throw conflict('A published post-mortem keeps at least one action item: mark it dropped instead')
    }
    await tx.deleteFrom('postmortem_actions').where('id', '=', row.id).execute()
    return {
      result: { deleted: true } as const,
      audit: { action: actionId, deleted: true, title: row.title },
    }
  })
}
