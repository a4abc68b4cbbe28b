import { type Static, Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' })
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' })

/** Most rates one request may write. */
export const MAX_RATE_ITEMS = 1000

export const FxRateInput = Type.Object(
  {
    currency: Currency,
    day: Day,
    rate: Type.Number({
      minimum: 0.00000001,
      maximum: 1_000_000_000,
      description: 'pounds sterling per one unit of the currency (EUR 0.85: €1 = £0.85)',
    }),
  },
  { additionalProperties: false },
)

export const FxRatesInput = Type.Object(
  { items: Type.Array(FxRateInput, { minItems: 1, maxItems: MAX_RATE_ITEMS }) },
  { additionalProperties: false },
)
export type FxRatesInput = Static<typeof FxRatesInput>

export const FxRatesWritten = Type.Object({
  written: Type.Integer(),
  inserted: Type.Integer(),
  updated: Type.Integer(),
})

export const FxRateQuery = Type.Object(
  {
    currency: Type.Optional(Currency),
    from: Type.Optional(Type.String({ format: 'date', description: 'days from this one on' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'days up to and including this one' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)
export type FxRateQuery = Static<typeof FxRateQuery>

export const FxRatePage = Type.Object({
  base: Type.String(),
  items: Type.Array(Type.Object({ currency: Type.String(), day: Type.String(), rate: Type.Number() })),
  nextCursor: Nullable(Type.String()),
})
