import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const Window = Type.Object({
  windowSeconds: Type.Integer(),
  requests: Type.Integer(),
  requestsPerSecond: Type.Number(),
  errors: Type.Integer(),
  errorRate: Nullable(Type.Number()),
  p50Ms: Nullable(Type.Number()),
  p95Ms: Nullable(Type.Number()),
  p99Ms: Nullable(Type.Number()),
})

const RouteFigures = Type.Object({
  route: Type.String(),
  requests: Type.Integer(),
  errors: Type.Integer(),
  errorRate: Type.Number(),
  p95Ms: Nullable(Type.Number()),
})

const Memory = Type.Object({
  rssBytes: Type.Number(),
  heapUsedBytes: Type.Number(),
  heapTotalBytes: Type.Number(),
  externalBytes: Type.Number(),
  arrayBuffersBytes: Type.Number(),
  systemTotalBytes: Type.Number(),
  systemFreeBytes: Type.Number(),
  systemUsedPercent: Type.Number(),
})

const GcFigures = Type.Object({ count: Type.Integer(), totalMs: Type.Number() })

export const MetricsSummary = Type.Object({
  version: Type.String(),
  environment: Type.String(),
  startedAt: Type.String({ format: 'date-time' }),
  uptimeSeconds: Type.Integer(),
  requests: Type.Object({ '1m': Window, '5m': Window, '15m': Window }),
  slowestRoutes: Type.Array(RouteFigures),
  failingRoutes: Type.Array(RouteFigures),
  cpu: Type.Object({
    systemPercent: Nullable(Type.Number()),
    processPercent: Nullable(Type.Number()),
    cores: Type.Integer(),
    loadAverage: Type.Array(Type.Number()),
  }),
  memory: Memory,
  disk: Type.Object({
    path: Type.String(),
    totalBytes: Type.Number(),
    freeBytes: Type.Number(),
    usedPercent: Type.Number(),
  }),
  eventLoopLag: Type.Object({ meanMs: Type.Number(), p99Ms: Type.Number(), maxMs: Type.Number() }),
  replicas: Nullable(Type.Integer()),
  securityEventsLast24h: Type.Record(Type.String(), Type.Integer()),
  connectors: Type.Array(
    Type.Object({
      name: Type.String(),
      configured: Type.Boolean(),
      breaker: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('halfOpen')]),
      forced: Type.Boolean(),
      lastOutcome: Nullable(
        Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')]),
      ),
      lastSuccessAt: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
})

export const MemoryDetail = Type.Object({
  ...Memory.properties,
  gc: Type.Object({ ...GcFigures.properties, byKind: Type.Record(Type.String(), GcFigures) }),
})

export const DatabaseMetrics = Type.Object({
  engine: Type.String(),
  pool: Type.Object({
    max: Type.Integer(),
    total: Type.Integer(),
    idle: Type.Integer(),
    waiting: Type.Integer(),
  }),
  activity: Type.Object({
    available: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    total: Type.Optional(Type.Integer()),
    byState: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  }),
})

export const SlowQueriesQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
})

const Statement = Type.Object({
  calls: Type.Integer(),
  totalMs: Type.Number(),
  meanMs: Type.Number(),
  maxMs: Type.Number(),
})

export const SlowQueries = Type.Object({
  app: Type.Array(
    Type.Object({ fingerprint: Type.String(), errors: Type.Integer(), ...Statement.properties }),
  ),
  pgStatStatements: Type.Object({
    available: Type.Boolean(),
    reason: Type.Optional(Type.String()),
    statements: Type.Array(Type.Object({ query: Type.String(), ...Statement.properties })),
  }),
})
