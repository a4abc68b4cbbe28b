import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'
import { MAX_WINDOW_MINUTES } from './schedule.ts'

const Instant = Type.String({ format: 'date-time' })

const fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Nullable(Type.String({ maxLength: 2000 })),
  timezone: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'IANA time zone, e.g. America/New_York',
  }),
  readOnly: Type.Boolean({ description: 'refuse changes by non-admins while in progress' }),
  start: Type.String({ format: 'date-time', description: 'one-off: when it starts (with an offset or Z)' }),
  end: Type.String({ format: 'date-time', description: 'one-off: when it ends' }),
  cron: Type.String({
    minLength: 1,
    maxLength: 100,
    description: 'recurring: five-field cron pattern read in the time zone, e.g. "0 2 * * SUN#1"',
  }),
  durationMinutes: Type.Integer({ minimum: 1, maximum: MAX_WINDOW_MINUTES }),
  until: Nullable(
    Type.String({ format: 'date-time', description: 'recurring: occurrences start before this' }),
  ),
}

export const CreateWindowBody = Type.Object(
  {
    title: fields.title,
    description: Type.Optional(fields.description),
    timezone: fields.timezone,
    readOnly: Type.Optional(fields.readOnly),
    start: Type.Optional(fields.start),
    end: Type.Optional(fields.end),
    cron: Type.Optional(fields.cron),
    durationMinutes: Type.Optional(fields.durationMinutes),
    until: Type.Optional(fields.until),
  },
  { additionalProperties: false },
)

export const UpdateWindowBody = Type.Object(
  {
    title: Type.Optional(fields.title),
    description: Type.Optional(fields.description),
    timezone: Type.Optional(fields.timezone),
    readOnly: Type.Optional(fields.readOnly),
    start: Type.Optional(fields.start),
    end: Type.Optional(fields.end),
    cron: Type.Optional(fields.cron),
    durationMinutes: Type.Optional(fields.durationMinutes),
    until: Type.Optional(fields.until),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const WindowParams = Type.Object({ id: Type.String({ format: 'uuid' }) })

export const WindowsQuery = Type.Object(
  {
    includePast: Type.Boolean({
      default: false,
      description: 'also cancelled windows and ones that are over',
    }),
  },
  { additionalProperties: false },
)

export const OccurrencesQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    to: Type.Optional(
      Type.String({ format: 'date-time', description: 'default: 30 days after from; at most 366' }),
    ),
  },
  { additionalProperties: false },
)

export const Window = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Nullable(Type.String()),
  timezone: Type.String(),
  readOnly: Type.Boolean(),
  kind: Type.Union([Type.Literal('once'), Type.Literal('recurring')]),
  start: Nullable(Instant),
  end: Nullable(Instant),
  cron: Nullable(Type.String()),
  durationMinutes: Nullable(Type.Integer()),
  until: Nullable(Instant),
  createdBy: Nullable(Type.String()),
  createdAt: Instant,
  updatedAt: Instant,
  cancelledAt: Nullable(Instant),
  cancelledBy: Nullable(Type.String()),
  nextOccurrence: Nullable(Type.Object({ start: Instant, end: Instant })),
})

export const Occurrence = Type.Object({
  windowId: Type.String(),
  title: Type.String(),
  start: Instant,
  end: Instant,
  readOnly: Type.Boolean(),
  timezone: Type.String(),
})

export const Banner = Nullable(
  Type.Object({
    windowId: Type.String(),
    title: Type.String(),
    start: Instant,
    end: Instant,
    readOnly: Type.Boolean(),
    timezone: Type.String(),
    inProgress: Type.Boolean(),
  }),
)
