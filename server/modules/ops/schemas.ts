import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'
import { Severity } from '../alerting/schemas.ts'

const Instant = Type.String({ format: 'date-time' })

const Op = Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<=')])

const TileRule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.Union([
    Type.Literal('threshold'),
    Type.Literal('change'),
    Type.Literal('deviation'),
    Type.Literal('absence'),
  ]),
  severity: Severity,
  levels: Nullable(Type.Object({ op: Op, alert: Type.Number(), warn: Nullable(Type.Number()) })),
  condition: Type.String({
    description: 'the condition in words with the unit: "alert ≥ 90 %, warning ≥ 80 %"',
  }),
})

const Tile = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal('system'), Type.Literal('business')]),
  value: Nullable(
    Type.Number({ description: 'the latest point of the last hour; uptime: the last 24 hours' }),
  ),
  valueAt: Nullable(Instant),
  valueSeconds: Type.Integer({ description: 'seconds the value covers' }),
  sparkline: Type.Object({
    stepSeconds: Type.Integer(),
    points: Type.Array(Type.Object({ at: Instant, value: Type.Number() })),
  }),
  rules: Type.Array(TileRule, { description: 'the enabled rules on the metric' }),
  state: Type.Union([
    Type.Literal('ok'),
    Type.Literal('warning'),
    Type.Literal('alert'),
    Type.Literal('no-data'),
    Type.Literal('no-rule'),
  ]),
  alerts: Type.Array(
    Type.Object({
      id: Type.String(),
      state: Type.Union([Type.Literal('pending'), Type.Literal('firing')]),
      severity: Severity,
    }),
  ),
})

export const Tiles = Type.Object({ at: Instant, items: Type.Array(Tile) })
