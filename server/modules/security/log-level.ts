import type { LogLevel } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'

/**
 * The runbook's "enable enhanced logging": an admin changes the log level of every replica at
 * run time (through the bus), optionally until a time, after which each replica returns to its
 * configured level.
 */
export const LOG_LEVEL_CHANNEL = 'admin.log-level'
const EXPIRY_CHECK_MS = 5000

export interface LogLevelState {
  level: LogLevel
  configured: LogLevel
  until: string | null
}

interface Change {
  level: LogLevel
  until: string | null
}

const state = new WeakMap<AppContext, { until: number | null; timer?: NodeJS.Timeout; off?: () => void }>()

function apply(ctx: AppContext, change: Change): void {
  ctx.logger.level = change.level
  const entry = state.get(ctx) ?? { until: null }
  entry.until = change.until ? Date.parse(change.until) : null
  state.set(ctx, entry)
  ctx.logger.info({ level: change.level, until: change.until }, 'log level changed')
}

export function currentLogLevel(ctx: AppContext): LogLevelState {
  const until = state.get(ctx)?.until ?? null
  return {
    level: ctx.logger.level as LogLevel,
    configured: ctx.config.logLevel,
    until: until === null ? null : new Date(until).toISOString(),
  }
}

/** Returns to the configured level once the temporary level has expired. */
export function expireLogLevel(ctx: AppContext): void {
  const until = state.get(ctx)?.until
  if (until != null && ctx.clock.ms() >= until) apply(ctx, { level: ctx.config.logLevel, until: null })
}

export function startLogLevelControl(ctx: AppContext): void {
  const entry = state.get(ctx) ?? { until: null }
  entry.off = ctx.bus.subscribe(LOG_LEVEL_CHANNEL, (message) => apply(ctx, message as Change))
  entry.timer = setInterval(() => expireLogLevel(ctx), EXPIRY_CHECK_MS)
  entry.timer.unref()
  state.set(ctx, entry)
}

export function stopLogLevelControl(ctx: AppContext): void {
  const entry = state.get(ctx)
  clearInterval(entry?.timer)
  entry?.off?.()
}

export async function setLogLevel(
  ctx: AppContext,
  input: { level: LogLevel; expiresInMinutes?: number },
  actor: Actor,
  request?: RequestFacts,
): Promise<LogLevelState> {
  const before = currentLogLevel(ctx)
  const until = input.expiresInMinutes
    ? new Date(ctx.clock.ms() + input.expiresInMinutes * 60_000).toISOString()
    : null
  await recordAudit(ctx.db, {
    actor,
    action: 'log_level_change',
    target: { type: 'setting', id: 'log_level' },
    request,
    oldValues: { level: before.level },
    newValues: { level: input.level, until },
  })
  const change: Change = { level: input.level, until }
  // Applied here at once; the bus carries it to the other replicas (and back here, harmlessly).
  apply(ctx, change)
  await ctx.bus.publish(LOG_LEVEL_CHANNEL, change)
  return currentLogLevel(ctx)
}
