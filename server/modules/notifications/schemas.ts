import { type Static, Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'
import type { ChannelKind, MessageStatus, Severity as SeverityName } from './types.ts'

// Spelled out: a Union over a mapped array of literals types as never in TypeBox 1.
const Kind = Type.Union([Type.Literal('slack'), Type.Literal('webhook'), Type.Literal('email')])
const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('sent'),
  Type.Literal('dead'),
])
const Severity = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
  Type.Literal('info'),
])
const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' })
const Time = Type.String({ format: 'date-time' })
const Secret = Type.String({ minLength: 16, maxLength: 200, pattern: '^[\\x21-\\x7e]+$' })
const Destination = Type.String({ minLength: 1, maxLength: 2000 })

export const ChannelParams = Type.Object({ name: Name })

export const ChannelBody = Type.Object(
  {
    name: Name,
    kind: Kind,
    destination: Destination,
    secret: Type.Optional(Secret),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const ChannelPatchBody = Type.Object(
  {
    destination: Type.Optional(Destination),
    secret: Type.Optional(Nullable(Secret)),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const ChannelStats = Type.Object({
  sent24h: Type.Integer(),
  failed24h: Type.Integer(),
  successRate: Nullable(Type.Number()),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Time),
  lastSentAt: Nullable(Time),
  pending: Type.Integer(),
  dead: Type.Integer(),
})

/** Never a secret: `hasSecret` says whether one is set; receiver URLs show their origin only. */
export const Channel = Type.Object({
  name: Type.String(),
  kind: Kind,
  destination: Type.String(),
  hasSecret: Type.Boolean(),
  enabled: Type.Boolean(),
  origin: Type.Union([Type.Literal('environment'), Type.Literal('stored')]),
  createdBy: Nullable(Type.String()),
  createdAt: Nullable(Time),
  updatedAt: Nullable(Time),
})

export const ChannelWithStats = Type.Object({ ...Channel.properties, stats: Nullable(ChannelStats) })

export const ChannelList = Type.Object({
  items: Type.Array(ChannelWithStats),
  /** Figures of messages sent to direct addresses and URLs (`direct:email`, `direct:webhook`). */
  direct: Type.Array(Type.Object({ channel: Type.String(), kind: Kind, ...ChannelStats.properties })),
})

export const DeletedChannel = Type.Object({ name: Type.String(), deadLettered: Type.Integer() })

export const MessagesQuery = Type.Object(
  {
    status: Type.Optional(Status),
    source: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    cursor: Type.Optional(BigintId()),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
)

export const MessageParams = Type.Object({ id: BigintId() })

export const Message = Type.Object({
  id: Type.String(),
  idempotencyKey: Type.String(),
  target: Type.Object({ kind: Kind, channel: Nullable(Type.String()), destination: Nullable(Type.String()) }),
  title: Type.String(),
  text: Type.String(),
  severity: Nullable(Severity),
  fields: Type.Array(Type.Object({ label: Type.String(), value: Type.String() })),
  link: Nullable(Type.String()),
  mention: Nullable(Type.String()),
  source: Nullable(Type.String()),
  status: Status,
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Time),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Time),
  createdAt: Time,
  sentAt: Nullable(Time),
  deadAt: Nullable(Time),
})

export const MessagePage = Type.Object({ items: Type.Array(Message), nextCursor: Nullable(Type.String()) })

export const MessageWithHistory = Type.Object({
  ...Message.properties,
  history: Type.Array(
    Type.Object({
      attempt: Type.Integer(),
      attemptedAt: Time,
      outcome: Type.Union([Type.Literal('sent'), Type.Literal('failed')]),
      error: Nullable(Type.String()),
      durationMs: Type.Integer(),
    }),
  ),
})

export const Queued = Type.Object({ id: Type.String() })

// The spelled-out unions above and the names in types.ts must stay the same.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const sameNames: [
  Same<Static<typeof Kind>, ChannelKind>,
  Same<Static<typeof Status>, MessageStatus>,
  Same<Static<typeof Severity>, SeverityName>,
] = [true, true, true]
void sameNames
