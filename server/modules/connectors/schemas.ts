import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const strict = { additionalProperties: false } as const
const Time = Nullable(Type.String({ format: 'date-time' }))
const BreakerState = Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('halfOpen')])

export const NameParams = Type.Object({
  name: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'the connector, e.g. shopify' }),
})

const LastRun = Type.Object({
  trigger: Nullable(Type.Union([Type.Literal('schedule'), Type.Literal('manual'), Type.Literal('cli')])),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')]),
  startedAt: Time,
  finishedAt: Time,
  message: Nullable(Type.String({ description: 'why it failed or was skipped' })),
  notes: Type.Array(Type.String(), { description: 'records that could not be booked, and why' }),
  fetched: Type.Integer(),
  written: Type.Integer(),
  skipped: Type.Integer(),
})

export const ConnectorStatus = Type.Object({
  name: Type.String(),
  title: Type.String(),
  resources: Type.Array(Type.String()),
  schedule: Type.String({ description: 'cron, UTC' }),
  configured: Type.Boolean(),
  missing: Type.Array(Type.String(), { description: 'variables to set while it is not configured' }),
  breaker: BreakerState,
  breakerSince: Time,
  forced: Type.Boolean({ description: 'an admin forced the breaker open' }),
  forcedBy: Nullable(Type.String()),
  forcedAt: Time,
  running: Type.Boolean(),
  cursor: Nullable(Type.String({ description: 'where the next sync starts' })),
  lastRun: Nullable(LastRun),
  lastSuccessAt: Time,
})

export const ConnectorList = Type.Object({ items: Type.Array(ConnectorStatus) })

export const SyncInput = Type.Object(
  {
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'start here instead of the stored cursor (a replay)' }),
    ),
  },
  strict,
)

export const SyncQueued = Type.Object({ connector: Type.String(), jobId: Type.String() })

export const BreakerInput = Type.Object(
  { state: Type.Union([Type.Literal('open'), Type.Literal('closed')]) },
  strict,
)
