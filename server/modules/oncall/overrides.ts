import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OncallOverridesTable } from '../../platform/db/schema.ts'
import { notFound, validationFailed } from '../../platform/http/errors.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { requirePeople } from './contacts.ts'
import { audit, type Change, type Tier, UUID, write } from './writes.ts'

/**
 * Overrides: someone else holds a tier of a schedule from one instant to another (a swap, a
 * holiday, cover during an incident). The latest created override covering an instant wins.
 */

export interface Override {
  id: string
  scheduleId: string
  tier: Tier
  contactId: string
  start: string
  end: string
  reason: string | null
  createdAt: string
  createdBy: string | null
}

export interface OverrideInput {
  tier: Tier
  contactId: string
  start: Date
  end: Date
  reason?: string | null
}

type Row = Selectable<OncallOverridesTable>

export function presentOverride(row: Row): Override {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    tier: row.tier,
    contactId: row.contact_id,
    start: new Date(row.starts_at).toISOString(),
    end: new Date(row.ends_at).toISOString(),
    reason: row.reason,
    createdAt: new Date(row.created_at).toISOString(),
    createdBy: row.created_by,
  }
}

/** A schedule's overrides that end after `since` (default now), in creation order. */
export async function listOverrides(
  ctx: AppContext,
  scheduleId: string,
  options: { since?: Date } = {},
): Promise<Override[]> {
  if (!UUID.test(scheduleId)) throw notFound(`No on-call schedule ${scheduleId}`)
  const schedule = await ctx.db
    .selectFrom('oncall_schedules')
    .select('id')
    .where('id', '=', scheduleId)
    .executeTakeFirst()
  if (!schedule) throw notFound(`No on-call schedule ${scheduleId}`)
  const rows = await ctx.db
    .selectFrom('oncall_overrides')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .where('ends_at', '>', options.since ?? ctx.clock.now())
    .orderBy('seq')
    .execute()
  return rows.map(presentOverride)
}

export async function createOverride(
  ctx: AppContext,
  scheduleId: string,
  input: OverrideInput,
  change: Change,
): Promise<Override> {
  const { start, end } = input
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()))
    throw validationFailed('start and end must be instants (ISO 8601)')
  if (end <= start) throw validationFailed('end must be after start', { field: 'end' })
  if (end.getTime() <= ctx.clock.ms())
    throw validationFailed('end is in the past: the override would change nothing', { field: 'end' })
  const reason = input.reason?.trim() || null
  return write(ctx, async (tx) => {
    const schedule = UUID.test(scheduleId)
      ? await tx.selectFrom('oncall_schedules').select('id').where('id', '=', scheduleId).executeTakeFirst()
      : undefined
    if (!schedule) throw notFound(`No on-call schedule ${scheduleId}`)
    await requirePeople(tx, [input.contactId], 'contactId')
    const row = await tx
      .insertInto('oncall_overrides')
      .values({
        id: randomUUID(),
        schedule_id: scheduleId,
        tier: input.tier,
        contact_id: input.contactId,
        starts_at: start,
        ends_at: end,
        reason,
        created_at: ctx.clock.now(),
        created_by: actorLabel(change.actor),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const override = presentOverride(row)
    const { id, createdAt: _createdAt, createdBy: _createdBy, ...values } = override
    await audit(tx, 'oncall_create', { type: 'oncall_override', id }, change, { new: values })
    return override
  })
}

export async function deleteOverride(ctx: AppContext, id: string, change: Change): Promise<Override> {
  return write(ctx, async (tx) => {
    const row = UUID.test(id)
      ? await tx
          .selectFrom('oncall_overrides')
          .selectAll()
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
      : undefined
    if (!row) throw notFound(`No override ${id}`)
    await tx.deleteFrom('oncall_overrides').where('id', '=', id).execute()
    const override = presentOverride(row)
    const { createdAt: _createdAt, createdBy: _createdBy, ...values } = override
    await audit(tx, 'oncall_delete', { type: 'oncall_override', id }, change, { old: values })
    return override
  })
}
