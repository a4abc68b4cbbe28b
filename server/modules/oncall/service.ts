import { DateTime } from 'luxon'
import type { AppContext } from '../../context.ts'
import { notFound, validationFailed } from '../../platform/http/errors.ts'
import { type Contact, contactsByIds } from './contacts.ts'
import { holderAt, type TierPlan, timeline } from './rotation.ts'
import { findSchedule, rotationsOf, type ScheduleRow } from './schedules.ts'
import { TIERS, type Tier, UUID } from './writes.ts'

/**
 * Who is on call: the public face of the module, called by the routes, the CLI and alert
 * escalation. Contacts, roles, schedules and overrides are written in their own files.
 */

export { type Contact, getContact } from './contacts.ts'
export { contactForRole, type EscalationRole } from './roles.ts'

export interface OnCallNow {
  schedule: { id: string; name: string; timezone: string }
  primary: Contact | null
  secondary: Contact | null
  primaryUntil: Date | null
  secondaryUntil: Date | null
}

/** Rotations and the overrides overlapping [from, to) (to null: every override not over by `from`). */
async function plansOf(
  ctx: AppContext,
  schedule: ScheduleRow,
  from: Date,
  to: Date | null,
): Promise<Record<Tier, TierPlan>> {
  const rotations = await rotationsOf(ctx.db, [schedule.id])
  let query = ctx.db
    .selectFrom('oncall_overrides')
    .select(['id', 'tier', 'contact_id', 'starts_at', 'ends_at', 'seq'])
    .where('schedule_id', '=', schedule.id)
    .where('ends_at', '>', from)
  if (to) query = query.where('starts_at', '<', to)
  const overrides = await query.execute()
  const plan = (tier: Tier): TierPlan => {
    const rotation = rotations.find((r) => r.tier === tier)
    return {
      rotation: rotation ? { ...rotation, zone: schedule.timezone } : null,
      overrides: overrides
        .filter((o) => o.tier === tier)
        .map((o) => ({
          id: o.id,
          contactId: o.contact_id,
          start: new Date(o.starts_at),
          end: new Date(o.ends_at),
          seq: Number(o.seq),
        })),
    }
  }
  return { primary: plan('primary'), secondary: plan('secondary') }
}

/**
 * Who is on call at `at` (default ctx.clock now) in the named schedule, or in the default schedule
 * (the one flagged default, else the first created) when no name is given; null when no such
 * schedule exists. Overrides win over rotations.
 */
export async function onCallAt(
  ctx: AppContext,
  options: { at?: Date; schedule?: string } = {},
): Promise<OnCallNow | null> {
  const at = options.at ?? ctx.clock.now()
  if (Number.isNaN(at.getTime())) throw validationFailed('at must be a valid instant', { field: 'at' })
  const schedule = await findSchedule(ctx.db, options.schedule)
  if (!schedule) return null
  const plans = await plansOf(ctx, schedule, at, null)
  const primary = holderAt(plans.primary, at)
  const secondary = holderAt(plans.secondary, at)
  const contacts = await contactsByIds(ctx.db, [primary.contactId, secondary.contactId])
  const contact = (id: string | null) => (id ? (contacts.get(id) ?? null) : null)
  return {
    schedule: { id: schedule.id, name: schedule.name, timezone: schedule.timezone },
    primary: contact(primary.contactId),
    secondary: contact(secondary.contactId),
    primaryUntil: primary.until,
    secondaryUntil: secondary.until,
  }
}

export interface ShiftView {
  tier: Tier
  start: string
  end: string
  /** The same instants as local times in the schedule's zone, with their offset. */
  startLocal: string
  endLocal: string
  /** Null for a gap: nobody holds the tier. */
  contact: Contact | null
  source: 'rotation' | 'override' | 'none'
  overrideId: string | null
}

export interface Shifts {
  schedule: { id: string; name: string; timezone: string }
  from: string
  to: string
  items: ShiftView[]
}

const DEFAULT_WINDOW_DAYS = 28
const MAX_WINDOW_DAYS = 366

/**
 * Who holds each tier over a window (default: now and the next 28 days, at most 366), overrides
 * applied; the first and last shift of each tier are cut to the window.
 */
export async function shiftsOf(
  ctx: AppContext,
  scheduleId: string,
  window: { from?: Date; to?: Date } = {},
): Promise<Shifts> {
  const schedule = UUID.test(scheduleId)
    ? await ctx.db.selectFrom('oncall_schedules').selectAll().where('id', '=', scheduleId).executeTakeFirst()
    : undefined
  if (!schedule) throw notFound(`No on-call schedule ${scheduleId}`)
  const from = window.from ?? ctx.clock.now()
  const to = window.to ?? new Date(from.getTime() + DEFAULT_WINDOW_DAYS * 86_400_000)
  if (to <= from) throw validationFailed('to must be after from', { field: 'to' })
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000)
    throw validationFailed(`The window may span at most ${MAX_WINDOW_DAYS} days`, { field: 'to' })
  const plans = await plansOf(ctx, schedule, from, to)
  const segments = TIERS.flatMap((tier) =>
    timeline(plans[tier], from, to).map((segment) => ({ tier, ...segment })),
  )
  const contacts = await contactsByIds(
    ctx.db,
    segments.map((s) => s.contactId),
  )
  const local = (instant: Date) => DateTime.fromJSDate(instant, { zone: schedule.timezone }).toISO()!
  return {
    schedule: { id: schedule.id, name: schedule.name, timezone: schedule.timezone },
    from: from.toISOString(),
    to: to.toISOString(),
    items: segments.map((s) => ({
      tier: s.tier,
      start: s.start.toISOString(),
      end: s.end.toISOString(),
      startLocal: local(s.start),
      endLocal: local(s.end),
      contact: s.contactId ? (contacts.get(s.contactId) ?? null) : null,
      source: s.source?.kind ?? 'none',
      overrideId: s.source?.kind === 'override' ? s.source.id : null,
    })),
  }
}
