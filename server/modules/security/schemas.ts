import { Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'
import { SECURITY_EVENT_KINDS } from './events.ts'

const Kind = Type.Union(SECURITY_EVENT_KINDS.map((k) => Type.Literal(k)))

export const EventsQuery = Type.Object(
  {
    kind: Type.Optional(Type.Array(Kind, { maxItems: 10 })),
    ip: Type.Optional(Type.String({ maxLength: 64 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(BigintId()),
  },
  { additionalProperties: false },
)

export const EventsPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      createdAt: Type.String({ format: 'date-time' }),
      kind: Type.String(),
      ip: Nullable(Type.String()),
      method: Nullable(Type.String()),
      route: Nullable(Type.String()),
      url: Nullable(Type.String()),
      pattern: Nullable(Type.String()),
      sample: Nullable(Type.String()),
      requestId: Nullable(Type.String()),
      userAgent: Nullable(Type.String()),
      subject: Nullable(Type.String()),
    }),
  ),
  nextCursor: Nullable(Type.String()),
  countsLast24h: Type.Record(Type.String(), Type.Integer()),
})

export const IpBlock = Type.Object({
  id: Type.String({ format: 'uuid' }),
  cidr: Type.String(),
  reason: Nullable(Type.String()),
  source: Type.Union([Type.Literal('manual'), Type.Literal('automatic')]),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
  removedAt: Nullable(Type.String({ format: 'date-time' })),
  active: Type.Boolean(),
})

export const BlocksQuery = Type.Object(
  { includeInactive: Type.Boolean({ default: false }) },
  { additionalProperties: false },
)

export const BlockBody = Type.Object(
  {
    cidr: Type.String({ minLength: 2, maxLength: 64, pattern: '^[0-9a-fA-F:.]+(/[0-9]{1,3})?$' }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

export const UnblockParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

const Level = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
)

export const LogLevelBody = Type.Object(
  { level: Level, expiresInMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })) },
  { additionalProperties: false },
)

export const LogLevelState = Type.Object({
  level: Type.String(),
  configured: Type.String(),
  until: Nullable(Type.String()),
})
