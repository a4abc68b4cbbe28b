import { type Static, Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const Channel = Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z0-9-]+$' })

/** Most session counts one request may write. */
export const MAX_SESSION_ITEMS = 1000

export const SessionCount = Type.Object(
  {
    channel: Channel,
    hour: Type.String({
      format: 'date-time',
      description: 'start of the UTC hour, e.g. 2026-03-02T14:00:00Z (minutes and seconds 0)',
    }),
    visits: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
  },
  { additionalProperties: false },
)

export const SessionsInput = Type.Object(
  { items: Type.Array(SessionCount, { minItems: 1, maxItems: MAX_SESSION_ITEMS }) },
  { additionalProperties: false },
)
export type SessionsInput = Static<typeof SessionsInput>

export const SessionsWritten = Type.Object({
  written: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
})

export const SessionQuery = Type.Object(
  {
    channel: Type.Optional(Channel),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'hours from this instant on' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'hours before this instant' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type SessionQuery = Static<typeof SessionQuery>

export const SessionPage = Type.Object({
  items: Type.Array(
    Type.Object({
      channel: Type.String(),
      hour: Type.String({ format: 'date-time' }),
      visits: Type.Integer(),
    }),
  ),
  nextCursor: Nullable(Type.String()),
})
