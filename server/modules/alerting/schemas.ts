import { Type } from 'typebox'
import { BigintId } from '../../platform/http/schema.ts'

export const Severity = Type.Union([
  Type.Literal('critical'),
  Type.Literal('high'),
  Type.Literal('medium'),
  Type.Literal('low'),
])

const Window = Type.Integer({ minimum: 10, maximum: 31 * 86_400, description: 'seconds' })

export const ThresholdParams = Type.Object(
  {
    op: Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<=')]),
    alert: Type.Number(),
    warn: Type.Optional(Type.Number()),
    warnSeverity: Type.Optional(Severity),
    windowSeconds: Window,
    reduce: Type.Optional(
      Type.Union([Type.Literal('mean'), Type.Literal('max'), Type.Literal('min'), Type.Literal('last')]),
    ),
  },
  { additionalProperties: false },
)

export const ChangeParams = Type.Object(
  {
    direction: Type.Union([Type.Literal('drop'), Type.Literal('rise')]),
    percent: Type.Number({ exclusiveMinimum: 0, maximum: 10_000 }),
    compareSeconds: Type.Integer({ minimum: 60, maximum: 56 * 86_400 }),
    windowSeconds: Window,
  },
  { additionalProperties: false },
)

export const DeviationParams = Type.Object(
  {
    sigma: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
    weeks: Type.Integer({ minimum: 2, maximum: 52 }),
    bucketSeconds: Type.Union([Type.Literal(3600), Type.Literal(86_400)]),
  },
  { additionalProperties: false },
)

export const AbsenceParams = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 10_080 }) },
  { additionalProperties: false },
)

export const Condition = Type.Union([
  Type.Object({ kind: Type.Literal('threshold'), params: ThresholdParams }),
  Type.Object({ kind: Type.Literal('change'), params: ChangeParams }),
  Type.Object({ kind: Type.Literal('deviation'), params: DeviationParams }),
  Type.Object({ kind: Type.Literal('absence'), params: AbsenceParams }),
])

const Kind = Type.Union([
  Type.Literal('threshold'),
  Type.Literal('change'),
  Type.Literal('deviation'),
  Type.Literal('absence'),
])
const Params = Type.Union([ThresholdParams, ChangeParams, DeviationParams, AbsenceParams])
const Labels = Type.Record(
  Type.String({ pattern: '^[a-z_][a-z0-9_]{0,62}$' }),
  Type.String({ maxLength: 200 }),
  {
    maxProperties: 10,
  },
)
const Name = Type.String({ minLength: 1, maxLength: 120 })

const RuleFields = {
  name: Name,
  description: Type.Optional(Type.String({ maxLength: 1000 })),
  metric: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Kind,
  params: Params,
  severity: Severity,
  forSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
  labels: Type.Optional(Labels),
  enabled: Type.Optional(Type.Boolean()),
}

export const RuleBody = Type.Object(RuleFields, { additionalProperties: false })
export const RulePatch = Type.Partial(Type.Object(RuleFields), {
  additionalProperties: false,
  minProperties: 1,
})

export const Rule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  metric: Type.String(),
  kind: Kind,
  params: Type.Unknown(),
  severity: Severity,
  forSeconds: Type.Integer(),
  labels: Type.Record(Type.String(), Type.String()),
  enabled: Type.Boolean(),
  builtin: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
})

export const IdParams = Type.Object({ id: BigintId() })

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

const AlertFields = {
  id: Type.String(),
  ruleId: Type.String(),
  ruleName: Type.String(),
  metric: Type.String(),
  labels: Type.Record(Type.String(), Type.String()),
  state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
  severity: Severity,
  value: Nullable(Type.Number()),
  summary: Type.String(),
  pendingSince: Type.String(),
  firedAt: Nullable(Type.String()),
  resolvedAt: Nullable(Type.String()),
  acknowledgedAt: Nullable(Type.String()),
  acknowledgedBy: Nullable(Type.String()),
  ackNote: Nullable(Type.String()),
  silencedBy: Nullable(Type.String()),
  inMaintenance: Type.Boolean(),
  stepsDone: Type.Integer(),
}

export const Alert = Type.Object(AlertFields)

export const AlertEvent = Type.Object({
  id: Type.String(),
  at: Type.String(),
  kind: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
})

export const AlertDetail = Type.Object({ ...AlertFields, timeline: Type.Array(AlertEvent) })

export const AlertsQuery = Type.Object({
  state: Type.Optional(
    Type.Union([
      Type.Literal('active'),
      Type.Literal('pending'),
      Type.Literal('firing'),
      Type.Literal('resolved'),
    ]),
  ),
  cursor: Type.Optional(BigintId()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const AlertsPage = Type.Object({ items: Type.Array(Alert), nextCursor: Nullable(Type.String()) })

export const AckBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
)

export const SilenceBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    /** Minutes from now; omit with `untilResolved` on an alert. */
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 24 * 60 })),
    untilResolved: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const RuleSilenceBody = Type.Object(
  {
    ruleId: BigintId(),
    labels: Type.Optional(Labels),
    reason: Type.String({ minLength: 1, maxLength: 1000 }),
    minutes: Type.Integer({ minimum: 1, maximum: 30 * 24 * 60 }),
  },
  { additionalProperties: false },
)

export const Silence = Type.Object({
  id: Type.String(),
  ruleId: Nullable(Type.String()),
  alertId: Nullable(Type.String()),
  labels: Type.Record(Type.String(), Type.String()),
  reason: Type.String(),
  createdBy: Type.String(),
  startsAt: Type.String(),
  endsAt: Nullable(Type.String()),
  cancelledAt: Nullable(Type.String()),
  active: Type.Boolean(),
})

export const SilencesQuery = Type.Object({ all: Type.Optional(Type.Boolean()) })

export const EscalationStep = Type.Object(
  {
    afterMinutes: Type.Integer({ minimum: 0, maximum: 7 * 24 * 60 }),
    notify: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
)

export const PolicyBody = Type.Object(
  { steps: Type.Array(EscalationStep, { minItems: 1, maxItems: 10 }) },
  { additionalProperties: false },
)

export const Policy = Type.Object({
  severity: Severity,
  steps: Type.Array(EscalationStep),
  updatedAt: Type.String(),
})

export const SeverityParams = Type.Object({ severity: Severity })

export const EvaluationReport = Type.Object({
  evaluated: Type.Boolean(),
  rules: Type.Integer(),
  opened: Type.Integer(),
  fired: Type.Integer(),
  resolved: Type.Integer(),
  notifications: Type.Integer(),
  durationMs: Type.Number(),
})
