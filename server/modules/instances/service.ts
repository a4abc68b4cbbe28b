import { hostname } from 'node:os'
import type { AppContext } from '../../context.ts'

/**
 * Each process registers itself in `instances` and refreshes `last_seen_at`, so any replica
 * (and `sentia status`) can tell how many replicas are running.
 */
export const HEARTBEAT_MS = 15_000
/** An instance not seen for this long is no longer counted as running. */
export const LIVE_WINDOW_MS = 60_000

const timers = new WeakMap<AppContext, NodeJS.Timeout>()

export async function registerInstance(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now()
  await ctx.db
    .insertInto('instances')
    .values({
      id: ctx.instanceId,
      hostname: hostname(),
      pid: process.pid,
      role: ctx.role,
      version: ctx.config.version,
      commit: ctx.config.commit,
      started_at: ctx.startedAt,
      last_seen_at: now,
    })
    .execute()
  const timer = setInterval(() => {
    heartbeat(ctx).catch((error) => ctx.logger.warn({ err: error }, 'instance heartbeat failed'))
  }, HEARTBEAT_MS)
  timer.unref()
  timers.set(ctx, timer)
}

export async function heartbeat(ctx: AppContext): Promise<void> {
  await ctx.db
    .updateTable('instances')
    .set({ last_seen_at: ctx.clock.now() })
    .where('id', '=', ctx.instanceId)
    .execute()
}

export async function deregisterInstance(ctx: AppContext): Promise<void> {
  clearInterval(timers.get(ctx))
  timers.delete(ctx)
  await ctx.db
    .updateTable('instances')
    .set({ stopped_at: ctx.clock.now() })
    .where('id', '=', ctx.instanceId)
    .execute()
}

export interface InstanceView {
  id: string
  hostname: string
  pid: number
  role: string
  version: string
  startedAt: string
  lastSeenAt: string
}

/** Instances that are running now: seen recently and not stopped. */
export async function liveInstances(ctx: AppContext): Promise<InstanceView[]> {
  const since = new Date(ctx.clock.ms() - LIVE_WINDOW_MS)
  const rows = await ctx.db
    .selectFrom('instances')
    .selectAll()
    .where('stopped_at', 'is', null)
    .where('last_seen_at', '>=', since)
    .orderBy('started_at')
    .execute()
  return rows.map((row) => ({
    id: row.id,
    hostname: row.hostname,
    pid: row.pid,
    role: row.role,
    version: row.version,
    startedAt: new Date(row.started_at).toISOString(),
    lastSeenAt: new Date(row.last_seen_at).toISOString(),
  }))
}

/** Deletes instance rows not seen for `days` days; returns how many. */
export async function pruneInstances(ctx: AppContext, days: number): Promise<number> {
  const before = new Date(ctx.clock.ms() - days * 86_400_000)
  const result = await ctx.db.deleteFrom('instances').where('last_seen_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}
