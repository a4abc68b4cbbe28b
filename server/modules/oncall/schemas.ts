import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'
import { PHONE_PATTERN, SLACK_PATTERN } from './contacts.ts'
import { HANDOFF_PATTERN } from './schedules.ts'

const Id = Type.String({ format: 'uuid' })
const Instant = Type.String({ format: 'date-time' })
const Kind = Type.Union([Type.Literal('person'), Type.Literal('vendor')])
export const TierSchema = Type.Union([Type.Literal('primary'), Type.Literal('secondary')])
const Role = Type.Union([
  Type.Literal('engineering_lead'),
  Type.Literal('vp_engineering'),
  Type.Literal('cto'),
  Type.Literal('ceo'),
])
/** A name: no control characters (the services refuse one that is only spaces). */
const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '^[^\\p{Cc}]+$' })

export const Contact = Type.Object({
  id: Id,
  name: Type.String(),
  kind: Kind,
  email: Nullable(Type.String()),
  slack: Nullable(Type.String()),
  webhookUrl: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  organisation: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  userId: Nullable(Type.String()),
})

const contactFields = {
  name: Name,
  kind: Kind,
  email: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 254 }))),
  slack: Type.Optional(Nullable(Type.String({ pattern: SLACK_PATTERN, maxLength: 81 }))),
  webhookUrl: Type.Optional(Nullable(Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }))),
  phone: Type.Optional(Nullable(Type.String({ pattern: PHONE_PATTERN, maxLength: 40 }))),
  organisation: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  notes: Type.Optional(Nullable(Type.String({ maxLength: 4000 }))),
  userId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }))),
}

export const ContactCreate = Type.Object(contactFields, { additionalProperties: false })

export const ContactPatch = Type.Partial(Type.Object(contactFields), {
  additionalProperties: false,
  minProperties: 1,
})

export const ContactsQuery = Type.Object({ kind: Type.Optional(Kind) }, { additionalProperties: false })
export const IdParams = Type.Object({ id: Id })

export const RoleParams = Type.Object({ role: Role })
export const RoleBody = Type.Object({ contactId: Nullable(Id) }, { additionalProperties: false })
export const RoleAssignment = Type.Object({ role: Role, contact: Nullable(Contact) })

export const Rotation = Type.Object({
  id: Id,
  scheduleId: Id,
  tier: TierSchema,
  participants: Type.Array(Id),
  shiftDays: Type.Integer(),
  handoffTime: Type.String(),
  startDate: Type.String(),
})

export const Schedule = Type.Object({
  id: Id,
  name: Type.String(),
  timezone: Type.String(),
  isDefault: Type.Boolean(),
  rotations: Type.Array(Rotation),
  createdAt: Instant,
  updatedAt: Instant,
})

const Timezone = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$' })

export const ScheduleCreate = Type.Object(
  { name: Name, timezone: Timezone, isDefault: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)
export const SchedulePatch = Type.Partial(
  Type.Object({ name: Name, timezone: Timezone, isDefault: Type.Boolean() }),
  {
    additionalProperties: false,
    minProperties: 1,
  },
)

export const RotationParams = Type.Object({ id: Id, tier: TierSchema })
export const RotationBody = Type.Object(
  {
    participants: Type.Array(Id, { minItems: 1, maxItems: 100 }),
    shiftDays: Type.Integer({ minimum: 1, maximum: 365 }),
    handoffTime: Type.String({ pattern: HANDOFF_PATTERN }),
    startDate: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
)

export const Override = Type.Object({
  id: Id,
  scheduleId: Id,
  tier: TierSchema,
  contactId: Id,
  start: Instant,
  end: Instant,
  reason: Nullable(Type.String()),
  createdAt: Instant,
  createdBy: Nullable(Type.String()),
})

export const OverrideBody = Type.Object(
  {
    tier: TierSchema,
    contactId: Id,
    start: Instant,
    end: Instant,
    reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  },
  { additionalProperties: false },
)
export const OverridesQuery = Type.Object({ since: Type.Optional(Instant) }, { additionalProperties: false })

export const NowQuery = Type.Object(
  {
    at: Type.Optional(Instant),
    schedule: Type.Optional(Type.String({ minLength: 1, maxLength: 120, pattern: '^[^\\p{Cc}]+$' })),
  },
  { additionalProperties: false },
)

const ScheduleRef = Type.Object({ id: Id, name: Type.String(), timezone: Type.String() })

export const OnCallNow = Type.Object({
  at: Instant,
  schedule: ScheduleRef,
  primary: Nullable(Contact),
  secondary: Nullable(Contact),
  primaryUntil: Nullable(Instant),
  secondaryUntil: Nullable(Instant),
})

export const ShiftsQuery = Type.Object(
  { from: Type.Optional(Instant), to: Type.Optional(Instant) },
  { additionalProperties: false },
)

export const Shifts = Type.Object({
  schedule: ScheduleRef,
  from: Instant,
  to: Instant,
  items: Type.Array(
    Type.Object({
      tier: TierSchema,
      start: Instant,
      end: Instant,
      startLocal: Type.String(),
      endLocal: Type.String(),
      contact: Nullable(Contact),
      source: Type.Union([Type.Literal('rotation'), Type.Literal('override'), Type.Literal('none')]),
      overrideId: Nullable(Id),
    }),
  ),
})

export const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item) })
