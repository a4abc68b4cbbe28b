import { type Static, Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'
import { LineCode, LocationCode, Sku } from '../catalog/schemas.ts'
import { Level, Movement } from '../inventory/schemas.ts'

/** The production API's schemas: batches, their operator actions and OEE. */

const strict = { additionalProperties: false } as const

const Instant = Type.String({ format: 'date-time' })
const Ratio = Nullable(Type.Number())
const Count = Type.Integer({ minimum: 0, maximum: 10_000_000 })

export const BatchStatus = Type.Union([
  Type.Literal('planned'),
  Type.Literal('running'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
])

export const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }),
})

export const OeeFigures = Type.Object({
  availability: Ratio,
  performance: Ratio,
  quality: Ratio,
  oee: Ratio,
})

export const Batch = Type.Object({
  id: Type.String(),
  line: Type.String(),
  sku: Type.String(),
  location: Type.String(),
  lot: Type.String(),
  status: BatchStatus,
  plannedQuantity: Type.Integer(),
  goodCount: Type.Integer(),
  rejectedCount: Type.Integer(),
  plannedStart: Instant,
  plannedEnd: Instant,
  startedAt: Nullable(Instant),
  endedAt: Nullable(Instant),
  downtimeMinutes: Type.Integer({ description: 'sum of the recorded stops' }),
  /** Null until the batch is completed. */
  oee: Nullable(OeeFigures),
})
export type Batch = Static<typeof Batch>

export const BatchPage = Type.Object({ items: Type.Array(Batch), nextCursor: Nullable(Type.String()) })

export const BatchQuery = Type.Object(
  {
    line: Type.Optional(LineCode),
    sku: Type.Optional(Sku),
    status: Type.Optional(BatchStatus),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'planned to start at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'planned to start before' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  strict,
)
export type BatchQuery = Static<typeof BatchQuery>

export const PlanInput = Type.Object(
  {
    line: LineCode,
    sku: Sku,
    plannedQuantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    plannedStart: Instant,
    plannedEnd: Instant,
    /** A factory; may be left out when there is only one. */
    location: Type.Optional(LocationCode),
    lot: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$',
        description: 'default L<yyyymmdd of the planned start>-<line>',
      }),
    ),
  },
  strict,
)
export type PlanInput = Static<typeof PlanInput>

export const StartInput = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })) },
  strict,
)
export type StartInput = Static<typeof StartInput>

export const DowntimeInput = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
    minutes: Type.Integer({ minimum: 1, maximum: 1440 }),
    startedAt: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })),
  },
  strict,
)
export type DowntimeInput = Static<typeof DowntimeInput>

export const CompleteInput = Type.Object(
  {
    goodCount: Count,
    rejectedCount: Count,
    at: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })),
  },
  strict,
)
export type CompleteInput = Static<typeof CompleteInput>

export const Completion = Type.Object({
  batch: Batch,
  movements: Type.Array(Movement, { description: 'the component consumption and the output, as booked' }),
  levels: Type.Array(Level, { description: 'the levels the completion changed, after it' }),
})
export type Completion = Static<typeof Completion>

export const OeeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 7 days before to' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    by: Type.Union([Type.Literal('line'), Type.Literal('plant')], { default: 'line' }),
  },
  strict,
)
export type OeeQuery = Static<typeof OeeQuery>

const OeeTotals = {
  batches: Type.Integer(),
  plannedMinutes: Type.Number(),
  downtimeMinutes: Type.Number(),
  goodCount: Type.Integer(),
  rejectedCount: Type.Integer(),
  ...OeeFigures.properties,
}

export const OeeReport = Type.Object({
  from: Instant,
  to: Instant,
  by: Type.Union([Type.Literal('line'), Type.Literal('plant')]),
  plant: Type.Object(OeeTotals),
  lines: Type.Array(Type.Object({ line: Type.String(), ...OeeTotals }), {
    description: 'every line, idle ones too, when by = line; empty when by = plant',
  }),
})

export const DowntimeQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 7 days before to' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    line: Type.Optional(LineCode),
  },
  strict,
)
export type DowntimeQuery = Static<typeof DowntimeQuery>

const DowntimeTally = {
  minutes: Type.Integer({ description: 'sum of the recorded stops' }),
  occurrences: Type.Integer({ description: 'number of recorded stops' }),
}
const LineDowntime = Type.Object({ line: Type.String(), ...DowntimeTally })

export const DowntimeReport = Type.Object({
  from: Instant,
  to: Instant,
  line: Nullable(Type.String()),
  ...DowntimeTally,
  reasons: Type.Array(
    Type.Object({
      reason: Type.String(),
      ...DowntimeTally,
      lines: Type.Array(LineDowntime, { description: 'the lines the reason stopped, most minutes first' }),
    }),
    { description: 'most minutes first' },
  ),
  lines: Type.Array(LineDowntime, { description: 'lines with stops in the window, most minutes first' }),
})
export type DowntimeReport = Static<typeof DowntimeReport>
