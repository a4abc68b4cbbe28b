import { type Static, Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'

/** The deployments API: one schema per route, shared with the service's types. */

export const ENVIRONMENT_PATTERN = '^[a-z0-9][a-z0-9_-]{0,31}$'
export const VERSION_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._+~-]{0,99}$'
export const COMMIT_PATTERN = '^[A-Za-z0-9._-]{1,64}$'

const Kind = Type.Union([Type.Literal('deploy'), Type.Literal('rollback')])
const Status = Type.Union([Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed')])
const CheckState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('ok'),
  Type.Literal('regressed'),
  Type.Literal('insufficient_data'),
  Type.Literal('skipped'),
])
const Id = BigintId()
const Instant = Type.String({ format: 'date-time' })
const Notes = Type.String({ maxLength: 2000 })

export const RecordBody = Type.Object(
  {
    version: Type.String({ pattern: VERSION_PATTERN, description: 'the release, e.g. 1.4.2 or a build tag' }),
    commit: Type.Optional(
      Nullable(Type.String({ pattern: COMMIT_PATTERN, description: 'the commit deployed (a git SHA)' })),
    ),
    environment: Type.Optional(
      Type.String({ pattern: ENVIRONMENT_PATTERN, description: "default: this instance's APP_ENV" }),
    ),
    kind: Type.Optional(
      Type.Union([Type.Literal('deploy'), Type.Literal('rollback')], {
        description:
          'default: rollback when an earlier deployment of the environment had this version and commit, else deploy',
      }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal('started'), Type.Literal('succeeded'), Type.Literal('failed')], {
        description: 'default: succeeded',
      }),
    ),
    notes: Type.Optional(Notes),
    startedAt: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    finishedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'succeeded or failed only; default: now (not before startedAt)',
      }),
    ),
    rollsBack: Type.Optional(
      BigintId({
        description:
          'kind rollback: the id of the deployment it undoes (default: the environment’s newest deployment that is not of this release)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const StatusBody = Type.Object(
  {
    status: Type.Optional(Status),
    finishedAt: Type.Optional(Instant),
    notes: Type.Optional(Nullable(Notes)),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const IdParams = Type.Object({ id: Id })

export const ListQuery = Type.Object(
  {
    environment: Type.Optional(Type.String({ pattern: ENVIRONMENT_PATTERN })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'started at or after this' })),
    limit: Type.Integer({ minimum: 1, maximum: 200, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

const Release = Type.Object({
  id: Type.String(),
  version: Type.String(),
  commit: Nullable(Type.String()),
  startedAt: Type.String(),
})

const WindowFigures = Type.Object({
  from: Type.String(),
  to: Type.String(),
  requests: Type.Number(),
  errors: Type.Number(),
  errorRate: Nullable(Type.Number({ description: '5xx share in %' })),
  p95Ms: Nullable(Type.Number({ description: 'per-sample p95s weighted by their responses' })),
})

export const CheckDetail = Type.Object({
  reasons: Type.Array(Type.String()),
  windowSeconds: Type.Optional(Type.Number()),
  resolution: Type.Optional(Type.Union([Type.Literal('raw'), Type.Literal('minute')])),
  before: Type.Optional(WindowFigures),
  after: Type.Optional(WindowFigures),
  errorRateRegressed: Type.Optional(Type.Boolean()),
  p95Regressed: Type.Optional(Type.Boolean()),
  thresholds: Type.Optional(
    Type.Object({
      minRequests: Type.Number(),
      errorRatePoints: Type.Number(),
      errorRateFactor: Type.Number(),
      p95Factor: Type.Number(),
      p95Ms: Type.Number(),
    }),
  ),
})

export type CheckDetailView = Static<typeof CheckDetail>

export const Deployment = Type.Object({
  id: Type.String(),
  environment: Type.String(),
  version: Type.String(),
  commit: Nullable(Type.String()),
  kind: Kind,
  status: Status,
  source: Type.Union([Type.Literal('startup'), Type.Literal('api'), Type.Literal('cli')]),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  createdBy: Type.String(),
  notes: Nullable(Type.String()),
  rollsBack: Nullable(Release),
  check: Type.Object({
    state: CheckState,
    checkedAt: Nullable(Type.String()),
    summary: Nullable(Type.String({ description: 'what regressed, or why there is no verdict' })),
    rollbackTo: Nullable(Release),
    detail: Nullable(CheckDetail),
  }),
})

export const Detector = Type.Object({
  environment: Type.String({ description: 'the environment whose metrics this instance stores' }),
  version: Type.String(),
  commit: Nullable(Type.String()),
  windowMinutes: Type.Integer(),
  minRequests: Type.Integer(),
  errorRatePoints: Type.Number(),
  errorRateFactor: Type.Number(),
  p95Factor: Type.Number(),
  p95Ms: Type.Number(),
})

export const DeploymentsPage = Type.Object({
  items: Type.Array(Deployment),
  nextCursor: Nullable(Type.String()),
  detector: Detector,
})

export const CheckReport = Type.Object({
  checked: Type.Integer(),
  ok: Type.Integer(),
  regressed: Type.Integer(),
  insufficientData: Type.Integer(),
  skipped: Type.Integer(),
  waiting: Type.Integer({ description: 'pending deployments whose after-window has not passed yet' }),
})
