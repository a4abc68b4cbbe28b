import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import { diskReading, memoryReading } from '../../platform/observability/system.ts'
import { connectorReports } from '../connectors/report.ts'
import { liveInstances } from '../instances/service.ts'
import { countSecurityEvents } from '../security/events.ts'

/** JSON metrics for people and the UI: the runbook's "check error rates" and "review slow endpoints". */

const WINDOWS = { '1m': 60, '5m': 300, '15m': 900 } as const
const TOP_ROUTES = 5

export async function metricsSummary(ctx: AppContext) {
  const routes = ctx.requestStats.routes(WINDOWS['15m'])
  const replicas = await liveInstances(ctx).catch(() => null)
  return {
    version: ctx.config.version,
    environment: ctx.config.env,
    startedAt: ctx.startedAt.toISOString(),
    uptimeSeconds: Math.round((ctx.clock.ms() - ctx.startedAt.getTime()) / 1000),
    requests: {
      '1m': ctx.requestStats.summary(WINDOWS['1m']),
      '5m': ctx.requestStats.summary(WINDOWS['5m']),
      '15m': ctx.requestStats.summary(WINDOWS['15m']),
    },
    slowestRoutes: routes
      .filter((r) => r.p95Ms !== null)
      .sort((a, b) => (b.p95Ms ?? 0) - (a.p95Ms ?? 0))
      .slice(0, TOP_ROUTES),
    failingRoutes: routes
      .filter((r) => r.errors > 0)
      .sort((a, b) => b.errors - a.errors || b.errorRate - a.errorRate)
      .slice(0, TOP_ROUTES),
    cpu: ctx.system.cpu(),
    memory: memoryReading(),
    disk: await diskReading(ctx.config.dataDir),
    eventLoopLag: ctx.system.eventLoopLag(),
    replicas: replicas?.length ?? null,
    securityEventsLast24h: await countSecurityEvents(ctx, new Date(ctx.clock.ms() - 86_400_000)),
    connectors: (await connectorReports(ctx)).map((c) => ({
      name: c.name,
      configured: c.configured,
      breaker: c.breaker,
      forced: c.forced,
      lastOutcome: c.lastRun?.outcome ?? null,
      lastSuccessAt: c.lastSuccessAt,
    })),
  }
}

export function memoryDetail(ctx: AppContext) {
  return { ...memoryReading(), gc: ctx.system.gc() }
}

export async function databaseMetrics(ctx: AppContext) {
  const { pool, engine } = ctx.database
  const poolStats = {
    max: pool.options.max ?? 0,
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  }
  if (engine === 'pglite') {
    return {
      engine,
      pool: poolStats,
      activity: { available: false, reason: 'the embedded engine has one in-process connection' },
    }
  }
  const result = await sql<{ state: string | null; count: string }>`
    select state, count(*)::text as count from pg_stat_activity
    where datname = current_database() group by state order by state`.execute(ctx.db)
  const byState = Object.fromEntries(result.rows.map((row) => [row.state ?? 'unknown', Number(row.count)]))
  const total = result.rows.reduce((sum, row) => sum + Number(row.count), 0)
  return { engine, pool: poolStats, activity: { available: true, total, byState } }
}

export async function slowQueries(ctx: AppContext, limit: number) {
  return { app: ctx.queryStats.slowest(limit), pgStatStatements: await pgStatStatements(ctx, limit) }
}

async function pgStatStatements(ctx: AppContext, limit: number) {
  const installed = await sql<{ present: boolean }>`
    select exists(select 1 from pg_extension where extname = 'pg_stat_statements') as present`.execute(ctx.db)
  if (!installed.rows[0]?.present) {
    return {
      available: false,
      reason:
        'pg_stat_statements is not installed in this database (it needs shared_preload_libraries and CREATE EXTENSION pg_stat_statements)',
      statements: [],
    }
  }
  try {
    const rows = await sql<{
      query: string
      calls: string
      total_ms: number
      mean_ms: number
      max_ms: number
    }>`
      select query, calls::text as calls, total_exec_time as total_ms, mean_exec_time as mean_ms, max_exec_time as max_ms
      from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
      order by mean_exec_time desc limit ${limit}`.execute(ctx.db)
    return {
      available: true,
      statements: rows.rows.map((row) => ({
        query: row.query,
        calls: Number(row.calls),
        totalMs: round(Number(row.total_ms), 3),
        meanMs: round(Number(row.mean_ms), 3),
        maxMs: round(Number(row.max_ms), 3),
      })),
    }
  } catch (error) {
    return { available: false, reason: (error as Error).message, statements: [] }
  }
}
