import { type Static, Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'
import { LocationCode, Sku } from '../catalog/schemas.ts'

/** The inventory API's schemas: levels, ledger movements, critical items and reorder suggestions. */

const strict = { additionalProperties: false } as const

const ProductKind = Type.Union([Type.Literal('finished'), Type.Literal('component')])
const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 100 })
const WindowDays = Type.Integer({
  minimum: 7,
  maximum: 365,
  default: 56,
  description: 'complete days of demand history before today (UTC) used for the statistics',
})

// Levels

export const LevelQuery = Type.Object(
  {
    sku: Type.Optional(Sku),
    location: Type.Optional(LocationCode),
    kind: Type.Optional(ProductKind),
    limit: Limit,
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  strict,
)
export type LevelQuery = Static<typeof LevelQuery>

export const Level = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  kind: ProductKind,
  location: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer({ description: 'on hand − reserved; below 0 is a backorder' }),
})
export type Level = Static<typeof Level>

export const LevelPage = Type.Object({ items: Type.Array(Level), nextCursor: Nullable(Type.String()) })

// Reservations

export const ReservationQuery = Type.Object(
  {
    sku: Sku,
    location: LocationCode,
    order: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[\\w-]+$',
        description: 'also say how much this order holds here',
      }),
    ),
  },
  strict,
)
export type ReservationQuery = Static<typeof ReservationQuery>

export const Reservations = Type.Object({
  sku: Type.String(),
  location: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer({ description: 'the stock level’s reserved figure' }),
  available: Type.Integer({ description: 'on hand − reserved' }),
  held: Type.Object(
    {
      orders: Type.Integer({ description: 'orders holding a reservation here' }),
      quantity: Type.Integer({ description: 'the sum of their reservations: equals reserved when in step' }),
    },
    { description: 'the orders’ reservations behind the level, read in the same statement' },
  ),
  order: Type.Optional(
    Type.Object({
      id: Type.String(),
      quantity: Type.Integer({ description: 'units this order holds here (0: none)' }),
    }),
  ),
})
export type Reservations = Static<typeof Reservations>

// Movements

/** What a person records; a transfer becomes transfer_out and transfer_in, sales come from orders. */
export const MovementInputKind = Type.Union([
  Type.Literal('receipt'),
  Type.Literal('adjustment'),
  Type.Literal('transfer'),
  Type.Literal('consumption'),
  Type.Literal('production_output'),
  Type.Literal('return'),
])

export const LedgerKind = Type.Union([
  Type.Literal('receipt'),
  Type.Literal('production_output'),
  Type.Literal('consumption'),
  Type.Literal('sale'),
  Type.Literal('transfer_out'),
  Type.Literal('transfer_in'),
  Type.Literal('adjustment'),
  Type.Literal('return'),
])

export const MovementInput = Type.Object(
  {
    kind: MovementInputKind,
    sku: Sku,
    location: LocationCode,
    quantity: Type.Integer({
      minimum: -1_000_000,
      maximum: 1_000_000,
      description: 'units moved: positive, except an adjustment, which is signed and not 0',
    }),
    toLocation: Type.Optional(LocationCode),
    lot: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    expiresOn: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD' })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    reference: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'e.g. a delivery note number' }),
    ),
  },
  strict,
)
export type MovementInput = Static<typeof MovementInput>

export const Movement = Type.Object({
  id: Type.String(),
  kind: LedgerKind,
  sku: Type.String(),
  location: Type.String(),
  quantity: Type.Integer({ description: 'signed: what the movement did to on-hand stock' }),
  lot: Nullable(Type.String()),
  expiresOn: Nullable(Type.String()),
  occurredAt: Type.String({ format: 'date-time' }),
  referenceType: Nullable(Type.String()),
  referenceId: Nullable(Type.String()),
  note: Nullable(Type.String()),
  actor: Type.String(),
})
export type Movement = Static<typeof Movement>

export const MovementResult = Type.Object({
  movements: Type.Array(Movement),
  levels: Type.Array(Level, { description: 'the levels the movement changed, after it' }),
})
export type MovementResult = Static<typeof MovementResult>

export const MovementQuery = Type.Object(
  {
    sku: Type.Optional(Sku),
    location: Type.Optional(LocationCode),
    kind: Type.Optional(LedgerKind),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'occurred at or after' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'occurred before' })),
    limit: Limit,
    cursor: Type.Optional(BigintId({ description: 'the last id of the page' })),
  },
  strict,
)
export type MovementQuery = Static<typeof MovementQuery>

export const MovementPage = Type.Object({ items: Type.Array(Movement), nextCursor: Nullable(Type.String()) })

// Planning

export const CriticalQuery = Type.Object(
  {
    sku: Type.Optional(Sku),
    location: Type.Optional(LocationCode),
    kind: Type.Optional(ProductKind),
    windowDays: WindowDays,
  },
  strict,
)
export type CriticalQuery = Static<typeof CriticalQuery>

const DemandSource = Type.Union([Type.Literal('sales'), Type.Literal('consumption')], {
  description:
    'finished goods: units sold through channels shipping from the location; components: consumption',
})

export const CriticalItem = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  kind: ProductKind,
  location: Type.String(),
  onHand: Type.Integer(),
  reserved: Type.Integer(),
  available: Type.Integer(),
  demandSource: DemandSource,
  meanDailyDemand: Type.Number(),
  demandSd: Type.Number({ description: 'sample standard deviation of daily demand' }),
  leadTimeDays: Type.Integer(),
  serviceLevel: Type.Number(),
  safetyStock: Type.Number(),
  reorderPoint: Type.Number(),
  daysOfCover: Nullable(Type.Number()),
  projectedStockoutDate: Nullable(Type.String({ format: 'date' })),
  reasons: Type.Array(
    Type.Union([Type.Literal('below_safety_stock'), Type.Literal('stockout_within_lead_time')]),
  ),
})
export type CriticalItem = Static<typeof CriticalItem>

export const CriticalList = Type.Object({
  windowDays: Type.Integer(),
  items: Type.Array(CriticalItem),
})

export const ReorderQuery = Type.Object(
  {
    sku: Type.Optional(Sku),
    location: Type.Optional(LocationCode),
    kind: Type.Optional(ProductKind),
    horizonDays: Type.Integer({
      minimum: 1,
      maximum: 365,
      default: 28,
      description: 'days of demand to cover after the lead time',
    }),
    windowDays: WindowDays,
    includeZero: Type.Boolean({ default: false, description: 'also list pairs that need nothing' }),
  },
  strict,
)
export type ReorderQuery = Static<typeof ReorderQuery>

export const ReorderSuggestion = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  kind: ProductKind,
  location: Type.String(),
  quantity: Type.Integer({ description: 'units to order or produce now, after MOQ and batch rounding' }),
  inputs: Type.Object({
    demandSource: DemandSource,
    historyDays: Type.Integer({
      description: 'days of history forecast from (from the first day with demand)',
    }),
    forecastModel: Nullable(Type.String()),
    backtestWape: Nullable(Type.Number()),
    leadTimeDays: Type.Integer(),
    horizonDays: Type.Integer(),
    forecastDays: Type.Integer({ description: 'lead time + horizon' }),
    forecastDemand: Type.Number({ description: 'forecast units over forecastDays' }),
    meanDailyDemand: Type.Number(),
    demandSd: Type.Number(),
    serviceLevel: Type.Number(),
    safetyStock: Type.Number(),
    onHand: Type.Integer(),
    reserved: Type.Integer(),
    available: Type.Integer(),
    openPurchase: Type.Integer({
      description: 'ordered, not yet received, on purchase orders to this location',
    }),
    openProduction: Type.Integer({ description: 'planned − good on planned and running batches here' }),
    need: Type.Number({
      description: 'forecastDemand + safetyStock − available − openPurchase − openProduction',
    }),
    moq: Type.Integer(),
    batchSize: Type.Integer(),
  }),
})
export type ReorderSuggestion = Static<typeof ReorderSuggestion>

export const ReorderList = Type.Object({
  horizonDays: Type.Integer(),
  windowDays: Type.Integer(),
  items: Type.Array(ReorderSuggestion),
})

// Expiring lots

export const ExpiringQuery = Type.Object(
  {
    days: Type.Integer({
      minimum: 0,
      maximum: 3650,
      default: 30,
      description: 'lots expiring within this many days of today (UTC); past expiries are always listed',
    }),
    location: Type.Optional(LocationCode),
  },
  strict,
)
export type ExpiringQuery = Static<typeof ExpiringQuery>

export const ExpiringLot = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  location: Type.String(),
  lot: Type.String(),
  quantity: Type.Integer({
    description:
      'units of the lot left at the location (movements without a lot, such as sales, take the oldest stock first)',
  }),
  expiresOn: Type.String({ format: 'date' }),
  daysLeft: Type.Integer({ description: 'days from today (UTC) to the expiry; negative once expired' }),
})
export type ExpiringLot = Static<typeof ExpiringLot>

export const ExpiringList = Type.Object({
  asOf: Type.String({ format: 'date', description: 'today (UTC), the day days are counted from' }),
  days: Type.Integer(),
  items: Type.Array(ExpiringLot, { description: 'soonest expiry first' }),
})
