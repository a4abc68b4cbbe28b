import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { Config, Role } from './config.ts'
import { modules } from './modules/index.ts'
import { type Bus, MemoryBus, RedisBus } from './platform/bus/bus.ts'
import { type Cache, MemoryCache, RedisCache } from './platform/cache/cache.ts'
import { connectRedis } from './platform/cache/redis.ts'
import { type Clock, systemClock } from './platform/clock.ts'
import { type Database, type Db, openDatabase } from './platform/db/database.ts'
import { acquireDataDirLock, type DataDirLock } from './platform/db/lockfile.ts'
import { migrateUp } from './platform/db/migrator.ts'
import { operation, QueryStats } from './platform/db/query-stats.ts'
import { Jobs } from './platform/jobs/jobs.ts'
import { ErrorSink } from './platform/observability/error-sink.ts'
import type { Logger } from './platform/observability/logger.ts'
import { createMetrics, type Metrics } from './platform/observability/metrics.ts'
import { RequestStats } from './platform/observability/request-stats.ts'
import { SystemMonitor } from './platform/observability/system.ts'

export type LifecycleState = 'starting' | 'ready' | 'stopping'

/** Everything a request handler, job or command needs; built once per process (or per test). */
export interface AppContext {
  config: Config
  role: Role
  logger: Logger
  clock: Clock
  instanceId: string
  startedAt: Date
  lifecycle: { state: LifecycleState }
  database: Database
  db: Db
  queryStats: QueryStats
  metrics: Metrics
  requestStats: RequestStats
  system: SystemMonitor
  cache: Cache
  bus: Bus
  /** The shared Redis command connection, when REDIS_URL is set (rate limits use it directly). */
  redis: Redis | undefined
  jobs: Jobs
  /** Unhandled errors (500s, failed jobs, crashes) go here; the error tracker listens. */
  errorSink: ErrorSink
  /** Held while the embedded engine has DATA_DIR open. */
  dataDirLock: DataDirLock | undefined
}

export interface ContextOptions {
  config: Config
  logger: Logger
  role?: Role
  clock?: Clock
  /** Tests: start the embedded engine in memory from a migrated template dump. */
  template?: Blob
}

export async function createContext(options: ContextOptions): Promise<AppContext> {
  const { config, logger } = options
  const clock = options.clock ?? systemClock
  const inMemory = Boolean(options.template)
  const lock: DataDirLock | undefined =
    config.database.engine === 'pglite' && !inMemory ? acquireDataDirLock(config.dataDir) : undefined
  try {
    const queryStats = new QueryStats()
    const metrics = createMetrics({ version: config.version, env: config.env })
    const database = await openDatabase({
      config: config.database,
      dataDir: inMemory ? 'memory://' : `${config.dataDir}/pg`,
      loadDataDir: options.template,
      logger,
      onQuery(sql, durationMs, failed) {
        queryStats.record(sql, durationMs, failed)
        const op = operation(sql)
        metrics.dbDuration.observe({ operation: op, outcome: failed ? 'error' : 'ok' }, durationMs / 1000)
        if (failed) metrics.dbErrors.inc({ operation: op })
      },
    })
    metrics.watchPool(database.pool, database.engine)
    await migrateUp(database.db)

    const { cache, bus, redis } = sharedState(config, logger, clock)
    const errorSink = new ErrorSink(logger)
    const jobs = new Jobs(
      database,
      modules.flatMap((m) => m.jobs ?? []),
      logger,
      errorSink,
    )
    return {
      dataDirLock: lock,
      config,
      role: options.role ?? 'all',
      logger,
      clock,
      instanceId: randomUUID(),
      startedAt: clock.now(),
      lifecycle: { state: 'starting' },
      database,
      db: database.db,
      queryStats,
      metrics,
      requestStats: new RequestStats(clock),
      system: new SystemMonitor(),
      cache,
      bus,
      redis,
      jobs,
      errorSink,
    }
  } catch (error) {
    lock?.release()
    throw error
  }
}

function sharedState(
  config: Config,
  logger: Logger,
  clock: Clock,
): { cache: Cache; bus: Bus; redis?: Redis } {
  if (!config.redisUrl) return { cache: new MemoryCache(() => clock.ms()), bus: new MemoryBus() }
  const commands = connectRedis(config.redisUrl, logger, 'commands')
  const subscriber = connectRedis(config.redisUrl, logger, 'subscriber', 'subscriber')
  return {
    cache: new RedisCache(commands, logger),
    bus: new RedisBus(commands, subscriber, logger),
    redis: commands,
  }
}

/** Starts background activity: job workers and schedules (by role), module start hooks, sampling. */
export async function startContext(ctx: AppContext): Promise<void> {
  const background = ctx.role !== 'api'
  await ctx.jobs.start({ work: background, schedule: background }, () => ctx)
  for (const module of modules) await module.start?.(ctx)
  ctx.system.start()
}

/** Stops everything in reverse order; safe to call once after a partial start. */
export async function closeContext(ctx: AppContext, timeoutMs = ctx.config.shutdownTimeoutMs): Promise<void> {
  ctx.lifecycle.state = 'stopping'
  // Each step runs even if an earlier one failed (a database that is down must not keep the lock).
  const steps: [string, () => Promise<void> | void][] = [
    ['jobs', () => ctx.jobs.stop(timeoutMs)],
    ['error reports', () => ctx.errorSink.idle()],
    ...[...modules].reverse().map((m): [string, () => Promise<void> | void] => [m.name, () => m.stop?.(ctx)]),
    ['system monitor', () => ctx.system.stop()],
    ['bus', () => ctx.bus.close()],
    ['database', () => ctx.database.close()],
    ['data-dir lock', () => ctx.dataDirLock?.release()],
  ]
  for (const [name, step] of steps) {
    try {
      await step()
    } catch (error) {
      ctx.logger.warn({ err: error, step: name }, 'shutdown step failed')
    }
  }
}
