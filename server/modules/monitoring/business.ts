import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import { criticalItems } from '../inventory/planning.ts'
import { floorTo } from './store.ts'

/**
 * Business figures as metrics. Revenue, orders and conversion are read from the hourly rollups
 * (full history, nothing sampled); active users and critical items are measured once a minute
 * by the sampler and stored like any sampled series.
 */

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** A user counts as active this long after their session was last used. */
export const ACTIVE_WINDOW_MS = 15 * 60_000

/** The demand window of the overview's critical-items figure (kpis/service.ts), so both agree. */
const CRITICAL_WINDOW_DAYS = 56

/**
 * Distinct users (not disabled) with an unexpired session used in the last 15 minutes. The
 * source is `sessions.updated_at`, which better-auth moves forward when a session is used and its
 * last refresh is older than `updateAge` (5 minutes, auth/auth.ts); a user therefore drops out
 * 10 to 15 minutes after their last request, never before 10. API keys are not people and are
 * not counted.
 */
export async function activeUsers(ctx: AppContext): Promise<number> {
  const now = ctx.clock.ms()
  const row = await ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select((eb) => eb.fn.count<string>('sessions.user_id').distinct().as('users'))
    .where('sessions.updated_at', '>=', new Date(now - ACTIVE_WINDOW_MS))
    .where('sessions.expires_at', '>', new Date(now))
    .where('users.disabled', '=', false)
    .executeTakeFirstOrThrow()
  return Number(row.users)
}

/** SKU × location pairs the overview calls critical (inventory/planning.ts). */
export async function criticalItemCount(ctx: AppContext): Promise<number> {
  return (await criticalItems(ctx, { windowDays: CRITICAL_WINDOW_DAYS })).length
}

export interface HourlyRange {
  /** Aligned start of the first bucket and end of the last, ms. */
  from: number
  to: number
  step: number
  now: number
}

/**
 * Order value (base currency) or orders per hour in each bucket: the bucket's total over its
 * length in hours, from `order_totals_hourly` (cancelled and refunded orders are taken out of it
 * when they change status). An hour without orders is 0, not absent: the rollup is the complete
 * record. Buckets before the first order ever and after now are absent.
 */
export async function ordersPerHour(
  ctx: AppContext,
  range: HourlyRange,
  figure: 'revenue' | 'orders',
): Promise<{ at: number; value: number }[]> {
  const first = await ctx.db
    .selectFrom('order_totals_hourly')
    .select((eb) => eb.fn.min('hour').as('hour'))
    .executeTakeFirst()
  if (!first?.hour) return []
  const column = figure === 'revenue' ? sql.ref('revenue_base') : sql.ref('orders')
  const rows = await sql<{ slot: number; total: number }>`
    select floor(extract(epoch from hour) / ${range.step})::float8 as slot, sum(${column})::float8 as total
    from order_totals_hourly
    where hour >= ${new Date(range.from)} and hour < ${new Date(range.to)}
    group by 1`.execute(ctx.db)
  const totals = new Map(rows.rows.map((row) => [row.slot * range.step * 1000, row.total]))
  const hours = range.step / 3600
  const points: { at: number; value: number }[] = []
  const start = Math.max(range.from, floorTo(new Date(first.hour).getTime(), range.step))
  for (let at = start; at < range.to && at <= range.now; at += range.step * 1000) {
    points.push({ at, value: round((totals.get(at) ?? 0) / hours, figure === 'revenue' ? 2 : 4) })
  }
  return points
}

/**
 * Conversion in %: orders of storefront channels over storefront sessions, over the 24 hours
 * ending at each bucket's end (the bucket itself when it is longer), as the overview computes it
 * (kpis/service.ts: the channels that have sessions are the storefront). Absent when there were
 * no sessions, and for buckets after now.
 */
export async function conversionRate(
  ctx: AppContext,
  range: HourlyRange,
): Promise<{ at: number; value: number }[]> {
  const windowMs = Math.max(range.step * 1000, DAY_MS)
  const from = range.from + range.step * 1000 - windowMs
  const visits = await sql<{ hour: Date; n: number }>`
    select hour, sum(visits)::float8 as n from storefront_sessions
    where hour >= ${new Date(from)} and hour < ${new Date(range.to)}
    group by hour`.execute(ctx.db)
  if (visits.rows.length === 0) return []
  const orders = await sql<{ hour: Date; n: number }>`
    select hour, sum(orders)::float8 as n from order_totals_hourly
    where hour >= ${new Date(from)} and hour < ${new Date(range.to)}
      and channel_code in (select distinct channel_code from storefront_sessions)
    group by hour`.execute(ctx.db)
  const byHour = (rows: { hour: Date; n: number }[]) =>
    new Map(rows.map((row) => [new Date(row.hour).getTime(), row.n]))
  const visitsByHour = byHour(visits.rows)
  const ordersByHour = byHour(orders.rows)
  const points: { at: number; value: number }[] = []
  for (let at = range.from; at < range.to && at <= range.now; at += range.step * 1000) {
    const end = at + range.step * 1000
    let sessions = 0
    let placed = 0
    for (let hour = end - windowMs; hour < end; hour += HOUR_MS) {
      sessions += visitsByHour.get(hour) ?? 0
      placed += ordersByHour.get(hour) ?? 0
    }
    if (sessions > 0) points.push({ at, value: round((100 * placed) / sessions, 4) })
  }
  return points
}

/** When the last order was placed (any status): the last time revenue and orders had data. */
export async function lastOrderAt(ctx: AppContext): Promise<Date | null> {
  const row = await ctx.db
    .selectFrom('orders')
    .select('placed_at')
    .orderBy('placed_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? new Date(row.placed_at) : null
}

/** The latest hour with storefront sessions recorded. */
export async function lastSessionsHour(ctx: AppContext): Promise<Date | null> {
  const row = await ctx.db
    .selectFrom('storefront_sessions')
    .select((eb) => eb.fn.max('hour').as('hour'))
    .executeTakeFirst()
  return row?.hour ? new Date(row.hour) : null
}
