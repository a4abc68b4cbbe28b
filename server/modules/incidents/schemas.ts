import { Type } from 'typebox'
import { BigintId } from '../../platform/http/schema.ts'

export const Severity = Type.Union([
  Type.Literal('P0'),
  Type.Literal('P1'),
  Type.Literal('P2'),
  Type.Literal('P3'),
])

export const Status = Type.Union([
  Type.Literal('investigating'),
  Type.Literal('identified'),
  Type.Literal('mitigating'),
  Type.Literal('monitoring'),
  Type.Literal('resolved'),
])

const Kind = Type.Union([Type.Literal('standard'), Type.Literal('security')])
const Names = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50 })
const ChannelNames = Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }), { maxItems: 10 })
const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Impact = Type.String({ maxLength: 5000 })
const Lead = Type.Union([Type.String({ minLength: 1, maxLength: 320 }), Type.Null()], {
  description: "the lead's user id or e-mail address (null: none)",
})

export const IdParams = Type.Object({ id: BigintId() })
export const SeverityParams = Type.Object({ severity: Severity })

export const IncidentBody = Type.Object(
  {
    title: Title,
    severity: Severity,
    status: Type.Optional(Status),
    kind: Type.Optional(Kind),
    impact: Type.Optional(Impact),
    lead: Type.Optional(Lead),
    participants: Type.Optional(Names),
    components: Type.Optional(Names),
    channels: Type.Optional(ChannelNames),
    detectedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

export const IncidentPatch = Type.Object(
  {
    title: Type.Optional(Title),
    severity: Type.Optional(Severity),
    status: Type.Optional(Status),
    impact: Type.Optional(Impact),
    lead: Type.Optional(Lead),
    participants: Type.Optional(Names),
    components: Type.Optional(Names),
    channels: Type.Optional(ChannelNames),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const NoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 5000, pattern: '\\S' }) },
  { additionalProperties: false },
)

export const AttachBody = Type.Object({ alertId: BigintId() }, { additionalProperties: false })

export const IncidentsQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved'), Type.Literal('all')])),
    severity: Type.Optional(Severity),
    kind: Type.Optional(Kind),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

const Time = Type.String({ format: 'date-time' })
const NullableTime = Type.Union([Time, Type.Null()])

export const Incident = Type.Object({
  id: Type.String(),
  title: Type.String(),
  kind: Kind,
  severity: Severity,
  status: Status,
  impact: Type.String(),
  lead: Type.Union([
    Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
    Type.Null(),
  ]),
  participants: Type.Array(Type.String()),
  components: Type.Array(Type.String()),
  channels: Type.Array(Type.String()),
  source: Type.String(),
  detectedAt: Time,
  createdAt: Time,
  createdBy: Type.String(),
  acknowledgedAt: NullableTime,
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: NullableTime,
  updatedAt: Time,
  durationMinutes: Type.Integer(),
  sla: Type.Object({
    responseMinutes: Type.Integer(),
    dueAt: Time,
    state: Type.Union([Type.Literal('pending'), Type.Literal('met'), Type.Literal('breached')]),
  }),
  postmortem: Type.Object({
    required: Type.Boolean(),
    status: Type.Union([Type.Literal('missing'), Type.Literal('draft'), Type.Literal('published')]),
  }),
  alertCount: Type.Integer(),
})

export const IncidentsPage = Type.Object({
  items: Type.Array(Incident),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const IncidentDetail = Type.Intersect([
  Incident,
  Type.Object({
    timeline: Type.Array(
      Type.Object({
        id: Type.String(),
        at: Time,
        kind: Type.String(),
        actor: Type.Union([Type.String(), Type.Null()]),
        detail: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
    alerts: Type.Array(
      Type.Object({
        id: Type.String(),
        ruleName: Type.String(),
        severity: Type.String(),
        state: Type.String(),
        summary: Type.String(),
        firedAt: NullableTime,
        attachedAt: Time,
      }),
    ),
    checklist: Type.Array(
      Type.Object({
        key: Type.String(),
        phase: Type.String(),
        title: Type.String(),
        dueAt: Time,
        doneAt: NullableTime,
        doneBy: Type.Union([Type.String(), Type.Null()]),
        note: Type.Union([Type.String(), Type.Null()]),
        overdue: Type.Boolean(),
      }),
    ),
  }),
])

export const Suggestion = Type.Object({
  severity: Severity,
  reason: Type.String(),
  signals: Type.Object({
    health: Type.String(),
    downComponents: Type.Array(Type.String()),
    errorRatePercent: Type.Union([Type.Number(), Type.Null()]),
    p95Ms: Type.Union([Type.Number(), Type.Null()]),
    criticalAlertsFiring: Type.Integer(),
  }),
})

export const SeverityDefinitions = Type.Array(
  Type.Object({
    severity: Severity,
    name: Type.String(),
    responseMinutes: Type.Integer(),
    examples: Type.Array(Type.String()),
  }),
)

const Step = Type.Object(
  {
    afterMinutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
    notify: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
)

export const PolicyBody = Type.Object(
  { steps: Type.Array(Step, { minItems: 1, maxItems: 10 }) },
  { additionalProperties: false },
)

export const Policy = Type.Object({
  severity: Severity,
  steps: Type.Array(Step),
  updatedAt: Type.String(),
})
