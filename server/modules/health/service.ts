import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { cachedFor, withTimeout } from '../../platform/cached.ts'
import type { ComponentHealth, ComponentStatus } from '../../platform/health-types.ts'
import { elapsedMs } from '../../platform/numbers.ts'
import { diskReading } from '../../platform/observability/system.ts'
import { connectorsHealth } from '../connectors/report.ts'

/** Component checks are shared for this long, so polling /health every second costs nothing. */
export const CHECK_TTL_MS = 1000
/** A check that takes longer than this reports its component as down. */
export const CHECK_TIMEOUT_MS = 2000
const DISK_WARN_PERCENT = 90
const DISK_MIN_FREE_BYTES = 100 * 1024 * 1024

/** A type, not an interface: the route serializes it as a plain record (Fastify's serializeInput). */
export type HealthReport = {
  status: ComponentStatus
  version: string
  commit: string
  environment: string
  role: string
  uptimeSeconds: number
  checkedAt: string
  components: Record<string, ComponentHealth>
}

export type HealthChecks = Record<string, () => Promise<ComponentHealth>>

const checksByContext = new WeakMap<AppContext, HealthChecks>()

/** The component checks of one context, each cached for CHECK_TTL_MS and bounded by CHECK_TIMEOUT_MS. */
export function healthChecks(ctx: AppContext): HealthChecks {
  let checks = checksByContext.get(ctx)
  if (checks) return checks
  const guard = (name: string, required: boolean, check: () => Promise<ComponentHealth>) =>
    cachedFor(
      CHECK_TTL_MS,
      () =>
        withTimeout(
          check().catch((error: Error) => ({ status: 'down' as const, required, message: error.message })),
          CHECK_TIMEOUT_MS,
          () => ({
            status: 'down' as const,
            required,
            message: `${name} check timed out after ${CHECK_TIMEOUT_MS} ms`,
          }),
        ),
      () => ctx.clock.ms(),
    )
  checks = {
    database: guard('database', true, () => checkDatabase(ctx)),
    cache: guard('cache', false, () => ctx.cache.health()),
    jobs: guard('jobs', true, () => ctx.jobs.health()),
    disk: guard('disk', true, () => checkDisk(ctx)),
    // Optional: an open breaker degrades, a connector that is not configured changes nothing.
    connectors: guard('connectors', false, () => connectorsHealth(ctx)),
  }
  checksByContext.set(ctx, checks)
  return checks
}

export async function healthReport(ctx: AppContext): Promise<HealthReport> {
  const checks = healthChecks(ctx)
  const names = Object.keys(checks)
  const results = await Promise.all(names.map((name) => checks[name]!()))
  const components = Object.fromEntries(names.map((name, i) => [name, results[i]!]))
  return {
    status: overallStatus(results),
    version: ctx.config.version,
    commit: ctx.config.commit,
    environment: ctx.config.env,
    role: ctx.role,
    uptimeSeconds: Math.round((ctx.clock.ms() - ctx.startedAt.getTime()) / 1000),
    checkedAt: ctx.clock.now().toISOString(),
    components,
  }
}

export function overallStatus(results: ComponentHealth[]): ComponentStatus {
  if (results.some((r) => r.required && r.status === 'down')) return 'down'
  if (results.some((r) => r.status !== 'ok')) return 'degraded'
  return 'ok'
}

async function checkDatabase(ctx: AppContext): Promise<ComponentHealth> {
  const started = performance.now()
  await sql`select 1`.execute(ctx.db)
  return {
    status: 'ok',
    required: true,
    engine: ctx.database.engine,
    latencyMs: elapsedMs(started),
  }
}

async function checkDisk(ctx: AppContext): Promise<ComponentHealth> {
  const disk = await diskReading(ctx.config.dataDir)
  const base = { required: true, path: disk.path, freeBytes: disk.freeBytes, usedPercent: disk.usedPercent }
  if (disk.freeBytes < DISK_MIN_FREE_BYTES) {
    return { ...base, status: 'down', message: 'less than 100 MB free on the data volume' }
  }
  if (disk.usedPercent >= DISK_WARN_PERCENT) {
    return { ...base, status: 'degraded', message: `data volume ${disk.usedPercent}% full` }
  }
  return { ...base, status: 'ok' }
}
