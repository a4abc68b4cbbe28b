import { Type } from 'typebox'
import { MAX_STEP_SECONDS } from './series.ts'

export const SeriesQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, description: 'a metric of GET /api/metrics/catalog' }),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: an hour before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
    step: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_STEP_SECONDS,
        description: 'seconds per point; default about 300 points over the range',
      }),
    ),
  },
  { additionalProperties: false },
)

export const Series = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  stepSeconds: Type.Integer(),
  points: Type.Array(Type.Object({ at: Type.String({ format: 'date-time' }), value: Type.Number() })),
})

export const MetricDefinition = Type.Object({
  name: Type.String(),
  unit: Type.String(),
  description: Type.String(),
  kind: Type.Union([Type.Literal('system'), Type.Literal('business')]),
})

export const Catalog = Type.Object({ items: Type.Array(MetricDefinition) })

export const Uptime = Type.Object({
  items: Type.Array(
    Type.Object({
      window: Type.Union([Type.Literal('24h'), Type.Literal('7d'), Type.Literal('30d')]),
      from: Type.String(),
      to: Type.String(),
      percent: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
})
