import { Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

const Code = Type.String({ minLength: 2, maxLength: 40, pattern: '^[A-Za-z0-9._-]+$' })
const Sku = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Z0-9][A-Z0-9._-]*$' })
const Money = Type.Number({ minimum: 0, maximum: 1e9 })

export const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('fulfilled'),
  Type.Literal('cancelled'),
  Type.Literal('refunded'),
])

export const OrderInput = Type.Object(
  {
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    channel: Code,
    market: Type.Optional(Code),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
    placedAt: Type.Optional(Type.String({ format: 'date-time' })),
    status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('paid')])),
    location: Type.Optional(Code),
    lines: Type.Array(
      Type.Object(
        {
          sku: Sku,
          quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          unitPrice: Type.Optional(Money),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 500 },
    ),
    shipping: Type.Optional(Money),
    tax: Type.Optional(Money),
  },
  { additionalProperties: false },
)

const OrderFields = {
  id: Type.String(),
  source: Type.String(),
  externalId: Nullable(Type.String()),
  channel: Type.String(),
  market: Type.String(),
  location: Type.String(),
  currency: Type.String(),
  status: Status,
  placedAt: Type.String({ format: 'date-time' }),
  subtotal: Type.Number(),
  tax: Type.Number(),
  shipping: Type.Number(),
  total: Type.Number(),
  fxRate: Type.Number(),
  totalBase: Type.Number(),
}

export const OrderSummary = Type.Object(OrderFields)

export const Order = Type.Object({
  ...OrderFields,
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      sku: Type.String(),
      quantity: Type.Integer(),
      unitPrice: Type.Number(),
    }),
  ),
})

export const OrderList = Type.Object({ items: Type.Array(OrderSummary), nextCursor: Nullable(Type.String()) })

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    channel: Type.Optional(Code),
    market: Type.Optional(Code),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
)

export const IdParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\w-]+$' }),
})

export const StatusBody = Type.Object(
  {
    status: Status,
    reason: Type.Optional(
      Type.String({ minLength: 1, maxLength: 500, description: 'why, kept in the order history' }),
    ),
  },
  { additionalProperties: false },
)

export const HistoryEntry = Type.Object({
  kind: Type.Union([Type.Literal('placed'), Type.Literal('status_change')]),
  at: Type.String({ format: 'date-time' }),
  from: Nullable(Status),
  to: Status,
  actor: Nullable(
    Type.Object({
      type: Type.Union([Type.Literal('user'), Type.Literal('apikey'), Type.Literal('system')]),
      id: Nullable(Type.String()),
      name: Nullable(Type.String({ description: "the user's or API key's name" })),
    }),
  ),
  reason: Nullable(Type.String()),
})

export const OrderHistory = Type.Object({
  orderId: Type.String(),
  source: Type.String(),
  items: Type.Array(HistoryEntry, {
    description: 'oldest first: "placed" (derived from the order, no actor), then every stored status change',
  }),
})
