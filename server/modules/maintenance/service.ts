import { randomUUID } from 'node:crypto'
import type { AppContext } from '../../context.ts'
import { AppError, conflict, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { MAINTENANCE_CHANNEL, scheduleOf } from './cache.ts'
import { definitionOf, type WindowRow, windowsOverlapping } from './repo.ts'
import {
  canonicalTimezone,
  checkSchedule,
  expand,
  type MaintenanceOccurrence,
  occurrencesOf,
  type WindowSchedule,
} from './schedule.ts'

export type { MaintenanceOccurrence } from './schedule.ts'

/** What a window is made from. One-off: `start` and `end`; recurring: `cron` and `durationMinutes`. */
export interface WindowInput {
  title: string
  description?: string | null
  /** IANA time zone; a recurring pattern is read in it. */
  timezone: string
  readOnly?: boolean
  start?: Date
  end?: Date
  cron?: string
  durationMinutes?: number
  until?: Date | null
}

export type WindowPatch = Partial<WindowInput>

export interface WindowView {
  id: string
  title: string
  description: string | null
  timezone: string
  readOnly: boolean
  kind: 'once' | 'recurring'
  start: string | null
  end: string | null
  cron: string | null
  durationMinutes: number | null
  until: string | null
  createdBy: string | null
  createdAt: string
  updatedAt: string
  cancelledAt: string | null
  cancelledBy: string | null
  /** The occurrence in progress now, else the next one; null when there is none left. */
  nextOccurrence: { start: string; end: string } | null
}

export interface MaintenanceBanner {
  windowId: string
  title: string
  start: string
  end: string
  readOnly: boolean
  timezone: string
  inProgress: boolean
}

const END_OF_TIME = new Date(8.64e15)
const iso = (value: Date | string) => new Date(value).toISOString()
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value))

/** Occurrences (one-off and expanded recurring) overlapping [from, to), ordered by start. Cancelled windows excluded. */
export async function maintenanceOccurrences(
  ctx: AppContext,
  range: { from: Date; to: Date },
): Promise<MaintenanceOccurrence[]> {
  if (range.to.getTime() <= range.from.getTime()) return []
  const rows = await windowsOverlapping(ctx.db, range)
  return expand(rows.map(definitionOf), range)
}

/** The occurrences in progress at `at`. */
export async function activeMaintenance(ctx: AppContext, at: Date): Promise<MaintenanceOccurrence[]> {
  return maintenanceOccurrences(ctx, { from: at, to: new Date(at.getTime() + 1) })
}

/**
 * What the banner shows now, from the in-memory windows: an occurrence in progress (a read-only
 * one first, then the one ending last), else the next one starting within the notice period.
 */
export async function maintenanceBanner(ctx: AppContext): Promise<MaintenanceBanner | null> {
  const schedule = scheduleOf(ctx)
  await schedule.ensureFresh()
  const now = ctx.clock.ms()
  const notice = ctx.config.maintenance.noticeHours * 3_600_000
  const occurrences = schedule.occurrences(now, notice)
  const current = occurrences
    .filter((o) => o.start.getTime() <= now && o.end.getTime() > now)
    .sort((a, b) => Number(b.readOnly) - Number(a.readOnly) || b.end.getTime() - a.end.getTime())[0]
  const shown =
    current ?? occurrences.find((o) => o.start.getTime() > now && o.start.getTime() <= now + notice)
  if (!shown) return null
  return {
    windowId: shown.windowId,
    title: shown.title,
    start: shown.start.toISOString(),
    end: shown.end.toISOString(),
    readOnly: shown.readOnly,
    timezone: shown.timezone,
    inProgress: shown === current,
  }
}

export async function listMaintenanceWindows(
  ctx: AppContext,
  options: { includePast?: boolean } = {},
): Promise<WindowView[]> {
  const rows = await ctx.db
    .selectFrom('maintenance_windows')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
  const now = ctx.clock.now()
  const views = rows.map((row) => present(row, now))
  return options.includePast ? views : views.filter((view) => view.nextOccurrence !== null)
}

export async function createMaintenanceWindow(
  ctx: AppContext,
  input: WindowInput,
  actor: Actor,
  request?: RequestFacts,
): Promise<WindowView> {
  const now = ctx.clock.now()
  const timezone = timezoneOf(input.timezone)
  const schedule = scheduleFrom(input, now)
  checkSchedule(schedule, timezone, now, { requireFuture: true })
  const row = await ctx.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('maintenance_windows')
      .values({
        id: randomUUID(),
        title: titleOf(input.title),
        description: input.description?.trim() || null,
        timezone,
        read_only: input.readOnly ?? false,
        starts_at: schedule.kind === 'once' ? schedule.start : null,
        ends_at: schedule.kind === 'once' ? schedule.end : null,
        cron: schedule.kind === 'recurring' ? schedule.cron : null,
        duration_minutes: schedule.kind === 'recurring' ? schedule.durationMinutes : null,
        recur_until: schedule.kind === 'recurring' ? schedule.until : null,
        created_by: actorLabel(actor),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'maintenance_create',
      target: { type: 'maintenance_window', id: inserted.id },
      request,
      newValues: auditValues(inserted),
    })
    return inserted
  })
  await announce(ctx, row.id)
  return present(row, now)
}

/** Changes a window that is not cancelled; its kind (one-off or recurring) stays. */
export async function updateMaintenanceWindow(
  ctx: AppContext,
  id: string,
  patch: WindowPatch,
  actor: Actor,
  request?: RequestFacts,
): Promise<WindowView> {
  const now = ctx.clock.now()
  const row = await ctx.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('maintenance_windows')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No maintenance window ${id}`)
    if (current.cancelled_at) throw conflict('A cancelled window cannot be changed')
    const recurring = current.cron !== null
    const foreign = recurring ? (['start', 'end'] as const) : (['cron', 'durationMinutes', 'until'] as const)
    const wrong = foreign.filter((field) => patch[field] !== undefined)
    if (wrong.length > 0)
      throw new AppError(
        400,
        'WRONG_KIND',
        `${wrong.join(', ')} cannot be set on a ${recurring ? 'recurring' : 'one-off'} window; cancel it and create another`,
      )
    const timezone = patch.timezone === undefined ? current.timezone : timezoneOf(patch.timezone)
    const before = definitionOf(current).schedule
    const schedule = scheduleFrom(
      recurring
        ? {
            cron: patch.cron ?? current.cron!,
            durationMinutes: patch.durationMinutes ?? current.duration_minutes!,
            until:
              patch.until === undefined ? (before.kind === 'recurring' ? before.until : null) : patch.until,
          }
        : {
            start: patch.start ?? new Date(current.starts_at!),
            end: patch.end ?? new Date(current.ends_at!),
          },
      new Date(current.created_at),
    )
    const timesChanged = ['start', 'end', 'until'].some(
      (field) => patch[field as keyof WindowPatch] !== undefined,
    )
    checkSchedule(schedule, timezone, now, { requireFuture: timesChanged })
    const updated = await tx
      .updateTable('maintenance_windows')
      .set({
        title: patch.title === undefined ? current.title : titleOf(patch.title),
        description:
          patch.description === undefined ? current.description : patch.description?.trim() || null,
        timezone,
        read_only: patch.readOnly ?? current.read_only,
        starts_at: schedule.kind === 'once' ? schedule.start : null,
        ends_at: schedule.kind === 'once' ? schedule.end : null,
        cron: schedule.kind === 'recurring' ? schedule.cron : null,
        duration_minutes: schedule.kind === 'recurring' ? schedule.durationMinutes : null,
        recur_until: schedule.kind === 'recurring' ? schedule.until : null,
        updated_at: now,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const oldValues = auditValues(current)
    const newValues = auditValues(updated)
    const changed = Object.keys(newValues).filter((key) => oldValues[key] !== newValues[key])
    await recordAudit(tx, {
      actor,
      action: 'maintenance_update',
      target: { type: 'maintenance_window', id },
      request,
      oldValues: Object.fromEntries(changed.map((key) => [key, oldValues[key]])),
      newValues: Object.fromEntries(changed.map((key) => [key, newValues[key]])),
    })
    return updated
  })
  await announce(ctx, id)
  return present(row, now)
}

/**
 * Cancels a window from now on: occurrences that already happened stay (alerts recorded in them
 * keep their context), one in progress ends now, later ones do not happen.
 */
export async function cancelMaintenanceWindow(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<WindowView> {
  const now = ctx.clock.now()
  const row = await ctx.db.transaction().execute(async (tx) => {
    const cancelled = await tx
      .updateTable('maintenance_windows')
      .set({ cancelled_at: now, cancelled_by: actorLabel(actor), updated_at: now })
      .where('id', '=', id)
      .where('cancelled_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (!cancelled) {
      const exists = await tx
        .selectFrom('maintenance_windows')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst()
      throw exists ? conflict('The window is cancelled already') : notFound(`No maintenance window ${id}`)
    }
    await recordAudit(tx, {
      actor,
      action: 'maintenance_cancel',
      target: { type: 'maintenance_window', id },
      request,
      oldValues: { title: cancelled.title },
    })
    return cancelled
  })
  await announce(ctx, id)
  return present(row, now)
}

function timezoneOf(name: string): string {
  const zone = canonicalTimezone(name.trim())
  if (!zone)
    throw new AppError(400, 'INVALID_TIMEZONE', `"${name}" is not an IANA time zone such as Europe/London`)
  return zone
}

function titleOf(title: string): string {
  const trimmed = title.trim()
  if (!trimmed) throw new AppError(400, 'VALIDATION_FAILED', 'The title may not be blank')
  return trimmed
}

/** The schedule the input describes; `from` is when a recurrence begins (its window's creation). */
function scheduleFrom(
  input: Pick<WindowInput, 'start' | 'end' | 'cron' | 'durationMinutes' | 'until'>,
  from: Date,
): WindowSchedule {
  if (input.cron !== undefined) {
    if (input.start !== undefined || input.end !== undefined)
      throw new AppError(400, 'WRONG_KIND', 'Give either start and end (one-off) or cron and durationMinutes')
    if (input.durationMinutes === undefined)
      throw new AppError(400, 'VALIDATION_FAILED', 'A recurring window needs durationMinutes')
    const cron = input.cron.trim().split(/\s+/).join(' ')
    return {
      kind: 'recurring',
      cron,
      durationMinutes: input.durationMinutes,
      from,
      until: input.until ?? null,
    }
  }
  if (input.durationMinutes !== undefined || (input.until !== undefined && input.until !== null))
    throw new AppError(400, 'WRONG_KIND', 'durationMinutes and until belong to recurring windows (with cron)')
  if (input.start === undefined || input.end === undefined)
    throw new AppError(400, 'VALIDATION_FAILED', 'Give start and end (one-off) or cron and durationMinutes')
  return { kind: 'once', start: input.start, end: input.end }
}

function auditValues(row: WindowRow): Record<string, unknown> {
  return {
    title: row.title,
    description: row.description,
    timezone: row.timezone,
    readOnly: row.read_only,
    start: isoOrNull(row.starts_at),
    end: isoOrNull(row.ends_at),
    cron: row.cron,
    durationMinutes: row.duration_minutes,
    until: isoOrNull(row.recur_until),
  }
}

function present(row: WindowRow, now: Date): WindowView {
  const [next] = occurrencesOf(definitionOf(row), { from: now, to: END_OF_TIME }, 1)
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    timezone: row.timezone,
    readOnly: row.read_only,
    kind: row.cron === null ? 'once' : 'recurring',
    start: isoOrNull(row.starts_at),
    end: isoOrNull(row.ends_at),
    cron: row.cron,
    durationMinutes: row.duration_minutes,
    until: isoOrNull(row.recur_until),
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
    cancelledAt: isoOrNull(row.cancelled_at),
    cancelledBy: row.cancelled_by,
    nextOccurrence: next ? { start: next.start.toISOString(), end: next.end.toISOString() } : null,
  }
}

/** After a change has committed: this process reads the windows again, other replicas and the UI hear of it. */
async function announce(ctx: AppContext, id: string): Promise<void> {
  scheduleOf(ctx).invalidate()
  try {
    await ctx.bus.publish(MAINTENANCE_CHANNEL, { id, at: ctx.clock.ms() })
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not announce a maintenance window change')
  }
  await publishBusinessEvent(ctx, 'maintenance.changed', { id })
}
