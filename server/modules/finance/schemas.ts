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

export const WorkingCapital = Type.Object({
  currency: Type.String(),
  windowDays: Type.Number(),
  from: Type.String(),
  to: Type.String(),
  averageInventory: Nullable(Type.Number()),
  averageReceivables: Nullable(Type.Number()),
  averagePayables: Nullable(Type.Number()),
  revenue: Type.Number(),
  cogs: Type.Number(),
  dio: Nullable(Type.Number()),
  dso: Nullable(Type.Number()),
  dpo: Nullable(Type.Number()),
  ccc: Nullable(Type.Number()),
})

const WindowDays = Type.Integer({
  minimum: 7,
  maximum: 730,
  default: 90,
  description: 'length of each window',
})

export const WorkingCapitalQuery = Type.Object({ days: WindowDays }, { additionalProperties: false })

export const WorkingCapitalTrendQuery = Type.Object(
  {
    days: WindowDays,
    step: Type.Integer({ minimum: 1, maximum: 90, default: 7, description: 'days between window ends' }),
    points: Type.Integer({
      minimum: 2,
      maximum: 104,
      default: 26,
      description: 'windows, the last ending now',
    }),
  },
  { additionalProperties: false },
)
export type WorkingCapitalTrendQuery = Static<typeof WorkingCapitalTrendQuery>

export const WorkingCapitalTrend = Type.Object({
  currency: Type.String(),
  windowDays: Type.Integer(),
  stepDays: Type.Integer(),
  points: Type.Array(WorkingCapital),
})

export const OpenItemQuery = Type.Object(
  {
    status: Type.Union(
      [Type.Literal('open'), Type.Literal('overdue'), Type.Literal('paid'), Type.Literal('all')],
      { default: 'open', description: 'open: not paid today; overdue: open and past its due day' },
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
)
export type OpenItemQuery = Static<typeof OpenItemQuery>

const Total = Type.Object({ count: Type.Integer(), amountBase: Type.Number() })

export const OpenItemPage = Type.Object({
  currency: Type.String({ description: 'the base currency of amountBase and the totals' }),
  today: Type.String({ description: 'the UTC day overdue is counted against' }),
  open: Total,
  overdue: Total,
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      counterparty: Nullable(Type.String()),
      reference: Type.String(),
      currency: Type.String(),
      amount: Type.Number(),
      amountBase: Type.Number(),
      issuedOn: Type.String(),
      dueOn: Type.String(),
      paidOn: Nullable(Type.String()),
      daysOverdue: Nullable(Type.Integer({ description: 'days past due while unpaid, else null' })),
    }),
  ),
  nextCursor: Nullable(Type.String()),
})
