import { randomUUID } from 'node:crypto'
import { type Selectable, sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { OncallRotationsTable, OncallSchedulesTable } from '../../platform/db/schema.ts'
import { conflict, notFound, validationFailed } from '../../platform/http/errors.ts'
import { requirePeople } from './contacts.ts'
import { canonicalZone, isLocalDate } from './rotation.ts'
import { audit, type Change, differences, TIERS, type Tier, type Tx, UUID, write } from './writes.ts'

/** Schedules (a name, an IANA zone, a default flag) and their rotations, one per tier. */

export interface Rotation {
  id: string
  scheduleId: string
  tier: Tier
  /** Contact ids in rotation order. */
  participants: string[]
  shiftDays: number
  /** Local handoff time in the schedule's zone, "HH:MM". */
  handoffTime: string
  /** Local date of the first shift, "YYYY-MM-DD". */
  startDate: string
}

export interface Schedule {
  id: string
  name: string
  timezone: string
  isDefault: boolean
  rotations: Rotation[]
  createdAt: string
  updatedAt: string
}

export interface ScheduleInput {
  name: string
  timezone: string
  isDefault?: boolean
}

export interface RotationInput {
  participants: string[]
  shiftDays: number
  handoffTime: string
  startDate: string
}

export type ScheduleRow = Selectable<OncallSchedulesTable>

export const HANDOFF_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$'
const FIRST_DATE = '2000-01-01'
const LAST_DATE = '2100-12-31'

function zoneOf(timezone: string): string {
  const zone = canonicalZone(timezone.trim())
  if (!zone)
    throw validationFailed(`"${timezone}" is not an IANA time zone (e.g. Europe/London)`, {
      field: 'timezone',
    })
  return zone
}

function nameOf(name: string): string {
  const trimmed = name.trim()
  if (trimmed === '') throw validationFailed('A schedule needs a name', { field: 'name' })
  return trimmed
}

/** Rotations of the given schedules, participants in order. */
export async function rotationsOf(db: Db | Tx, scheduleIds: string[]): Promise<Rotation[]> {
  if (scheduleIds.length === 0) return []
  const rows = await db
    .selectFrom('oncall_rotations')
    .selectAll()
    .where('schedule_id', 'in', scheduleIds)
    .execute()
  if (rows.length === 0) return []
  const members = await db
    .selectFrom('oncall_rotation_members')
    .selectAll()
    .where(
      'rotation_id',
      'in',
      rows.map((row) => row.id),
    )
    .orderBy('position')
    .execute()
  return rows
    .map((row) =>
      presentRotation(
        row,
        members.filter((m) => m.rotation_id === row.id).map((m) => m.contact_id),
      ),
    )
    .sort((a, b) => TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier))
}

function presentRotation(row: Selectable<OncallRotationsTable>, participants: string[]): Rotation {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    tier: row.tier,
    participants,
    shiftDays: row.shift_days,
    handoffTime: row.handoff_time,
    startDate: row.start_date,
  }
}

function presentSchedule(row: ScheduleRow, rotations: Rotation[]): Schedule {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    isDefault: row.is_default,
    rotations: rotations.filter((r) => r.scheduleId === row.id),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }
}

export async function listSchedules(ctx: AppContext): Promise<Schedule[]> {
  const rows = await ctx.db
    .selectFrom('oncall_schedules')
    .selectAll()
    .orderBy('is_default', 'desc')
    .orderBy('name')
    .execute()
  const rotations = await rotationsOf(
    ctx.db,
    rows.map((row) => row.id),
  )
  return rows.map((row) => presentSchedule(row, rotations))
}

export async function getSchedule(ctx: AppContext, id: string): Promise<Schedule> {
  const row = UUID.test(id)
    ? await ctx.db.selectFrom('oncall_schedules').selectAll().where('id', '=', id).executeTakeFirst()
    : undefined
  if (!row) throw notFound(`No on-call schedule ${id}`)
  return presentSchedule(row, await rotationsOf(ctx.db, [row.id]))
}

/**
 * A schedule by name (any case) or id; without one, the default: the schedule flagged default,
 * else the first created. Null when there is no such schedule.
 */
export async function findSchedule(db: Db | Tx, nameOrId?: string): Promise<ScheduleRow | null> {
  let query = db.selectFrom('oncall_schedules').selectAll()
  if (nameOrId !== undefined) {
    const name = nameOrId.trim()
    // A name with a control character cannot exist (names are checked), and NUL would fail the query.
    if (/\p{Cc}/u.test(name)) return null
    query = UUID.test(name)
      ? query.where((eb) => eb.or([eb('id', '=', name), eb(sql`lower(name)`, '=', name.toLowerCase())]))
      : query.where(sql`lower(name)`, '=', name.toLowerCase())
  }
  const row = await query
    .orderBy('is_default', 'desc')
    .orderBy('created_at')
    .orderBy('name')
    .limit(1)
    .executeTakeFirst()
  return row ?? null
}

async function lockSchedule(tx: Tx, id: string): Promise<ScheduleRow> {
  const row = UUID.test(id)
    ? await tx.selectFrom('oncall_schedules').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined
  if (!row) throw notFound(`No on-call schedule ${id}`)
  return row
}

async function requireFreeName(tx: Tx, name: string, except?: string): Promise<void> {
  let query = tx.selectFrom('oncall_schedules').select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  if (except) query = query.where('id', '<>', except)
  if (await query.executeTakeFirst()) throw conflict(`A schedule named "${name}" already exists`)
}

/** Only one schedule is the default: flagging one clears the others. */
async function clearDefault(tx: Tx, except: string): Promise<void> {
  await tx
    .updateTable('oncall_schedules')
    .set({ is_default: false })
    .where('is_default', '=', true)
    .where('id', '<>', except)
    .execute()
}

const audited = (row: ScheduleRow) => ({ name: row.name, timezone: row.timezone, isDefault: row.is_default })

export async function createSchedule(
  ctx: AppContext,
  input: ScheduleInput,
  change: Change,
): Promise<Schedule> {
  const name = nameOf(input.name)
  const timezone = zoneOf(input.timezone)
  const id = randomUUID()
  await write(ctx, async (tx) => {
    await requireFreeName(tx, name)
    if (input.isDefault) await clearDefault(tx, id)
    const now = ctx.clock.now()
    const row = await tx
      .insertInto('oncall_schedules')
      .values({ id, name, timezone, is_default: Boolean(input.isDefault), created_at: now, updated_at: now })
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, 'oncall_create', { type: 'oncall_schedule', id }, change, { new: audited(row) })
  })
  return getSchedule(ctx, id)
}

/** Renames, moves to another zone (rotations then hand off at their local time there) or flags default. */
export async function updateSchedule(
  ctx: AppContext,
  id: string,
  patch: Partial<ScheduleInput>,
  change: Change,
): Promise<Schedule> {
  const name = patch.name === undefined ? undefined : nameOf(patch.name)
  const timezone = patch.timezone === undefined ? undefined : zoneOf(patch.timezone)
  await write(ctx, async (tx) => {
    const before = await lockSchedule(tx, id)
    if (name !== undefined) await requireFreeName(tx, name, id)
    if (patch.isDefault) await clearDefault(tx, id)
    const after = await tx
      .updateTable('oncall_schedules')
      .set({ name, timezone, is_default: patch.isDefault, updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const changed = differences(audited(before), audited(after))
    if (changed) await audit(tx, 'oncall_update', { type: 'oncall_schedule', id }, change, changed)
  })
  return getSchedule(ctx, id)
}

/** Deletes a schedule with its rotations and overrides. */
export async function deleteSchedule(ctx: AppContext, id: string, change: Change): Promise<Schedule> {
  const schedule = await getSchedule(ctx, id)
  await write(ctx, async (tx) => {
    await lockSchedule(tx, id)
    await tx.deleteFrom('oncall_schedules').where('id', '=', id).execute()
    await audit(tx, 'oncall_delete', { type: 'oncall_schedule', id }, change, {
      old: { name: schedule.name, timezone: schedule.timezone, rotations: schedule.rotations.length },
    })
  })
  return schedule
}

function checkRotation(input: RotationInput): void {
  if (!Number.isInteger(input.shiftDays) || input.shiftDays < 1 || input.shiftDays > 365)
    throw validationFailed('shiftDays must be a whole number of days from 1 to 365', { field: 'shiftDays' })
  if (!new RegExp(HANDOFF_PATTERN).test(input.handoffTime))
    throw validationFailed('handoffTime must be a local time "HH:MM" (00:00 to 23:59)', {
      field: 'handoffTime',
    })
  if (!isLocalDate(input.startDate) || input.startDate < FIRST_DATE || input.startDate > LAST_DATE)
    throw validationFailed(`startDate must be a date "YYYY-MM-DD" from ${FIRST_DATE} to ${LAST_DATE}`, {
      field: 'startDate',
    })
  if (input.participants.length === 0)
    throw validationFailed('A rotation needs at least one participant', { field: 'participants' })
}

/**
 * Creates or replaces the rotation of one tier. Shifts are counted from `startDate`, so changing
 * the participants or the start also changes who held past shifts as the schedule reports them.
 */
export async function putRotation(
  ctx: AppContext,
  scheduleId: string,
  tier: Tier,
  input: RotationInput,
  change: Change,
): Promise<Rotation> {
  checkRotation(input)
  return write(ctx, async (tx) => {
    await lockSchedule(tx, scheduleId)
    await requirePeople(tx, input.participants, 'participants')
    const existing = await tx
      .selectFrom('oncall_rotations')
      .selectAll()
      .where('schedule_id', '=', scheduleId)
      .where('tier', '=', tier)
      .executeTakeFirst()
    const before = existing ? (await rotationsOf(tx, [scheduleId])).find((r) => r.tier === tier) : undefined
    const now = ctx.clock.now()
    const values = {
      shift_days: input.shiftDays,
      handoff_time: input.handoffTime,
      start_date: input.startDate,
      updated_at: now,
    }
    const id = existing?.id ?? randomUUID()
    if (existing) {
      await tx.updateTable('oncall_rotations').set(values).where('id', '=', id).execute()
      await tx.deleteFrom('oncall_rotation_members').where('rotation_id', '=', id).execute()
    } else {
      await tx
        .insertInto('oncall_rotations')
        .values({ id, schedule_id: scheduleId, tier, created_at: now, ...values })
        .execute()
    }
    await tx
      .insertInto('oncall_rotation_members')
      .values(
        input.participants.map((contactId, position) => ({
          rotation_id: id,
          position,
          contact_id: contactId,
        })),
      )
      .execute()
    const rotation: Rotation = { id, scheduleId, tier, ...input }
    const shown = ({ id: _id, scheduleId: _scheduleId, ...rest }: Rotation) => rest
    if (before) {
      const changed = differences(shown(before), shown(rotation))
      if (changed) await audit(tx, 'oncall_update', { type: 'oncall_rotation', id }, change, changed)
    } else {
      await audit(tx, 'oncall_create', { type: 'oncall_rotation', id }, change, {
        new: { scheduleId, ...shown(rotation) },
      })
    }
    return rotation
  })
}

export async function deleteRotation(
  ctx: AppContext,
  scheduleId: string,
  tier: Tier,
  change: Change,
): Promise<Rotation> {
  return write(ctx, async (tx) => {
    await lockSchedule(tx, scheduleId)
    const rotation = (await rotationsOf(tx, [scheduleId])).find((r) => r.tier === tier)
    if (!rotation) throw notFound(`The schedule has no ${tier} rotation`)
    await tx.deleteFrom('oncall_rotations').where('id', '=', rotation.id).execute()
    await audit(tx, 'oncall_delete', { type: 'oncall_rotation', id: rotation.id }, change, {
      old: { scheduleId, tier, participants: rotation.participants },
    })
    return rotation
  })
}
