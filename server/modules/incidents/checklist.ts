import type { AppContext } from '../../context.ts'
import { conflict, notFound } from '../../platform/http/errors.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import type { Change } from './service.ts'
import { recordEvent } from './timeline.ts'

/**
 * The data-breach checklist of a security incident (inserted when it is opened, each step due
 * 1 h, 24 h or 72 h after detection): steps are marked done, or undone again, with a note. Each
 * change is a `checklist` timeline entry and an `incident_update` audit entry.
 */

export interface ChecklistStepView {
  key: string
  phase: string
  title: string
  dueAt: string
  doneAt: string | null
  doneBy: string | null
  note: string | null
  /** Not done and past its deadline. */
  overdue: boolean
}

export interface StepChange {
  done: boolean
  /** Replaces the step's note when given; an empty note clears it. */
  note?: string
}

export async function setChecklistStep(
  ctx: AppContext,
  incidentId: string,
  key: string,
  input: StepChange,
  change: Change,
): Promise<ChecklistStepView> {
  const now = ctx.clock.now()
  const by = actorLabel(change.actor)
  const note = input.note === undefined ? undefined : input.note.trim() || null
  let changed = false
  const step = await ctx.db.transaction().execute(async (tx) => {
    const incident = await tx
      .selectFrom('incidents')
      .select(['id', 'kind'])
      .where('id', '=', incidentId)
      .forUpdate()
      .executeTakeFirst()
    if (!incident) throw notFound('No such incident')
    if (incident.kind !== 'security')
      throw conflict(`Incident #${incidentId} is not a security incident: it has no data-breach checklist`)
    const row = await tx
      .selectFrom('incident_checklist')
      .selectAll()
      .where('incident_id', '=', incidentId)
      .where('key', '=', key)
      .executeTakeFirst()
    if (!row) throw notFound(`The checklist has no step "${key}"`)
    const wasDone = row.done_at !== null
    const noteChanged = note !== undefined && note !== row.note
    if (wasDone === input.done && !noteChanged) return row
    changed = true
    const updated = await tx
      .updateTable('incident_checklist')
      .set({
        ...(wasDone === input.done
          ? {}
          : { done_at: input.done ? now : null, done_by: input.done ? by : null }),
        ...(noteChanged ? { note } : {}),
      })
      .where('incident_id', '=', incidentId)
      .where('key', '=', key)
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordEvent(tx, incidentId, now, 'checklist', by, {
      key,
      title: row.title,
      phase: row.phase,
      done: input.done,
      note: updated.note,
      // Done after its deadline: worth knowing for the notification obligations.
      late: input.done && !wasDone && row.due_at < now,
    })
    await tx.updateTable('incidents').set({ updated_at: now }).where('id', '=', incidentId).execute()
    await recordAudit(tx, {
      actor: change.actor,
      action: 'incident_update',
      target: { type: 'incident', id: incidentId },
      request: change.request,
      oldValues: { checklist: key, done: wasDone },
      newValues: { checklist: key, done: input.done, ...(noteChanged ? { note: updated.note } : {}) },
    })
    return updated
  })
  if (changed) await publishBusinessEvent(ctx, 'incident.changed', { id: incidentId })
  return {
    key: step.key,
    phase: step.phase,
    title: step.title,
    dueAt: step.due_at.toISOString(),
    doneAt: step.done_at?.toISOString() ?? null,
    doneBy: step.done_by,
    note: step.note,
    overdue: step.done_at === null && step.due_at < now,
  }
}
