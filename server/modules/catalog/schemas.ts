import { type Static, Type } from 'typebox'
import { Nullable } from '../../platform/http/schema.ts'

/**
 * The catalog's schemas. Codes follow the checks in migration 0008; numeric bounds keep every
 * value inside its column after PostgreSQL rounds it (a rate of 0.99995 would round to 1).
 */

const strict = { additionalProperties: false } as const

const SKU_PATTERN = '^[A-Z0-9][A-Z0-9._-]{0,39}$'
const LOCATION_PATTERN = '^[A-Z0-9-]{2,20}$'
const DAYS = { minimum: 0, maximum: 365 }
const COUNT = { minimum: 1, maximum: 1_000_000 }
const UNIT = { minLength: 1, maxLength: 20, pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N} ._/-]*$' }
const SERVICE_LEVEL = { minimum: 0.5, maximum: 0.9999 }

export const MarketCode = Type.String({ pattern: '^[A-Z]{2,5}$', description: 'e.g. UK, EU, USA' })
export const LocationCode = Type.String({ pattern: LOCATION_PATTERN })
export const ChannelCode = Type.String({ pattern: '^[a-z0-9-]{2,40}$', description: 'e.g. shopify-uk' })
export const Sku = Type.String({ pattern: SKU_PATTERN })
export const SupplierId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$' })
export const LineCode = Type.String({ pattern: '^[A-Z0-9-]{2,20}$' })

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. GBP' })
const Days = Type.Integer(DAYS)
/** A fraction such as a tax rate or a fee: numeric(6,4), below 1. */
const Fraction = Type.Number({ minimum: 0, maximum: 0.9999 })
const Money = Type.Number({ minimum: 0, maximum: 1_000_000 })
const Count = Type.Integer(COUNT)
const Unit = Type.String(UNIT)
const Email = Type.String({ format: 'email', maxLength: 254 })

const LocationKind = Type.Union([
  Type.Literal('warehouse'),
  Type.Literal('factory'),
  Type.Literal('fulfilment'),
])
const ChannelKind = Type.Union([
  Type.Literal('shopify'),
  Type.Literal('amazon'),
  Type.Literal('wholesale'),
  Type.Literal('other'),
])
const ProductKind = Type.Union([Type.Literal('finished'), Type.Literal('component')])

/** Builds the PATCH body from an entity's editable fields: any of them, at least one. */
const patchOf = <T extends Parameters<typeof Type.Object>[0]>(fields: T) =>
  Type.Partial(Type.Object(fields), { ...strict, minProperties: 1 })

// Markets

const marketFields = { name: Name, currency: Currency, taxRate: Fraction, shippingDays: Days }
export const Market = Type.Object({ code: MarketCode, ...marketFields })
export const MarketCreate = Type.Object({ code: MarketCode, ...marketFields }, strict)
export const MarketPatch = patchOf(marketFields)
export type Market = Static<typeof Market>

// Locations

const locationFields = { name: Name, kind: LocationKind }
export const Location = Type.Object({ code: LocationCode, ...locationFields })
export const LocationCreate = Type.Object({ code: LocationCode, ...locationFields }, strict)
export const LocationPatch = patchOf(locationFields)
export const LocationQuery = Type.Object({ kind: Type.Optional(LocationKind) }, strict)
export type Location = Static<typeof Location>

// Channels

const channelFields = {
  name: Name,
  kind: ChannelKind,
  marketCode: MarketCode,
  locationCode: Type.String({
    pattern: LOCATION_PATTERN,
    description: 'where its orders are reserved and shipped from',
  }),
  feePct: Fraction,
  payoutDays: Days,
}
export const Channel = Type.Object({ code: ChannelCode, ...channelFields })
export const ChannelCreate = Type.Object({ code: ChannelCode, ...channelFields }, strict)
export const ChannelPatch = patchOf(channelFields)
export const ChannelQuery = Type.Object(
  { kind: Type.Optional(ChannelKind), marketCode: Type.Optional(MarketCode) },
  strict,
)
export type Channel = Static<typeof Channel>

// Products

export const Price = Type.Object({ marketCode: MarketCode, price: Money }, strict)
export type Price = Static<typeof Price>

/** Values a new product gets for the fields its creator leaves out. */
export const PRODUCT_DEFAULTS = {
  unit: 'unit',
  moq: 1,
  batchSize: 1,
  serviceLevel: 0.95,
  active: true,
  prices: [] as Price[],
}

const productFields = {
  name: Name,
  kind: ProductKind,
  unit: Unit,
  unitCost: Money,
  leadTimeDays: Days,
  moq: Count,
  batchSize: Count,
  serviceLevel: Type.Number(SERVICE_LEVEL),
  active: Type.Boolean(),
  prices: Type.Array(Price, { maxItems: 50, description: 'one price per market; replaces all when given' }),
}
export const Product = Type.Object({ sku: Sku, ...productFields })
export const ProductCreate = Type.Object(
  {
    sku: Sku,
    name: Name,
    kind: ProductKind,
    unitCost: Money,
    leadTimeDays: Days,
    unit: Type.Optional(Type.String({ ...UNIT, default: PRODUCT_DEFAULTS.unit })),
    moq: Type.Optional(Type.Integer({ ...COUNT, default: PRODUCT_DEFAULTS.moq })),
    batchSize: Type.Optional(Type.Integer({ ...COUNT, default: PRODUCT_DEFAULTS.batchSize })),
    serviceLevel: Type.Optional(Type.Number({ ...SERVICE_LEVEL, default: PRODUCT_DEFAULTS.serviceLevel })),
    active: Type.Optional(Type.Boolean({ default: PRODUCT_DEFAULTS.active })),
    prices: Type.Optional(productFields.prices),
  },
  strict,
)
export const ProductPatch = patchOf(productFields)
export const ProductQuery = Type.Object(
  {
    kind: Type.Optional(ProductKind),
    active: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'part of the name or SKU' })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
    cursor: Type.Optional(
      Type.String({ pattern: SKU_PATTERN, description: 'the last SKU of the previous page' }),
    ),
  },
  strict,
)
export const ProductPage = Type.Object({ items: Type.Array(Product), nextCursor: Nullable(Sku) })
export type Product = Static<typeof Product>
export type ProductCreate = Static<typeof ProductCreate>
export type ProductPatch = Static<typeof ProductPatch>

// Bills of materials

export const BomLineInput = Type.Object(
  { componentSku: Sku, quantity: Type.Number({ minimum: 0.0001, maximum: 1_000_000 }) },
  strict,
)
export const BomReplace = Type.Object({ lines: Type.Array(BomLineInput, { maxItems: 200 }) }, strict)
export const Bom = Type.Object({
  sku: Sku,
  lines: Type.Array(
    Type.Object({ componentSku: Sku, name: Type.String(), unit: Type.String(), quantity: Type.Number() }),
  ),
})
export type BomLineInput = Static<typeof BomLineInput>
export type Bom = Static<typeof Bom>

// Suppliers

/** Values a new supplier gets for the fields its creator leaves out. */
export const SUPPLIER_DEFAULTS = { email: null as string | null, paymentDays: 30 }

const supplierFields = {
  name: Name,
  email: Nullable(Email),
  currency: Currency,
  leadTimeDays: Days,
  paymentDays: Days,
}
export const Supplier = Type.Object({ id: SupplierId, ...supplierFields })
export const SupplierCreate = Type.Object(
  {
    id: SupplierId,
    name: Name,
    currency: Currency,
    leadTimeDays: Days,
    email: Type.Optional(Nullable(Email)),
    paymentDays: Type.Optional(Type.Integer({ ...DAYS, default: SUPPLIER_DEFAULTS.paymentDays })),
  },
  strict,
)
export const SupplierPatch = patchOf(supplierFields)
export type Supplier = Static<typeof Supplier>
export type SupplierCreate = Static<typeof SupplierCreate>

// Production lines

const productionLineFields = {
  name: Name,
  idealRatePerHour: Type.Number({ minimum: 0.01, maximum: 1_000_000, description: 'units per hour' }),
}
export const ProductionLine = Type.Object({ code: LineCode, ...productionLineFields })
export const ProductionLineCreate = Type.Object({ code: LineCode, ...productionLineFields }, strict)
export const ProductionLinePatch = patchOf(productionLineFields)
export type ProductionLine = Static<typeof ProductionLine>

// Params

export const MarketParams = Type.Object({ code: MarketCode })
export const LocationParams = Type.Object({ code: LocationCode })
export const ChannelParams = Type.Object({ code: ChannelCode })
export const SkuParams = Type.Object({ sku: Sku })
export const SupplierParams = Type.Object({ id: SupplierId })
export const LineParams = Type.Object({ code: LineCode })

export const listOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item) })
