import { Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'
import { STACK_LIMIT } from './service.ts'

const Source = Type.Union([Type.Literal('server'), Type.Literal('web'), Type.Literal('job')])

export const GroupsQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ format: 'date-time' })),
    source: Type.Optional(Source),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

const groupFields = {
  id: Type.String(),
  fingerprint: Type.String(),
  type: Type.String(),
  message: Type.String(),
  source: Source,
  count: Type.Integer(),
  firstSeen: Type.String({ format: 'date-time' }),
  lastSeen: Type.String({ format: 'date-time' }),
  firstRelease: Nullable(Type.String()),
  lastRelease: Nullable(Type.String()),
  route: Nullable(Type.String()),
  sampleRequestId: Nullable(Type.String()),
}

export const GroupsPage = Type.Object({
  items: Type.Array(Type.Object(groupFields)),
  nextCursor: Nullable(Type.String()),
})

export const GroupParams = Type.Object({ id: BigintId() })

export const GroupDetail = Type.Object({
  ...groupFields,
  sampleStack: Nullable(Type.String()),
  hourly: Type.Array(Type.Object({ hour: Type.String({ format: 'date-time' }), count: Type.Integer() })),
})

/** What the web app reports: an uncaught error, an unhandled rejection or a render error. */
export const ReportBody = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 200 }),
    message: Type.String({ maxLength: 2000 }),
    stack: Type.Optional(Type.String({ maxLength: STACK_LIMIT })),
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    release: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  },
  { additionalProperties: false },
)
