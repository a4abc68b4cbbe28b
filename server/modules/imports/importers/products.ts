import { sql } from 'kysely'
import { PRODUCT_DEFAULTS } from '../../catalog/schemas.ts'
import { RowCheck } from '../check.ts'
import type { Importer, Row, RowError } from '../types.ts'
import { type Parsed, parseBoolean, parseCode, parseDecimal, parseInteger } from '../values.ts'

/**
 * Products by SKU: a new SKU is created, a known one updated when anything differs and skipped
 * when nothing does (so importing a file twice changes nothing the second time). Prices are
 * `price_<market>` columns (`price_uk`, `price_eu`, ...); an empty price cell, like any empty
 * optional cell, leaves the current value as it is. Bounds are the catalog API's.
 */

const SKU = /^[A-Z0-9][A-Z0-9._-]{0,39}$/
const UNIT = /^[\p{L}\p{N}][\p{L}\p{N} ._/-]{0,19}$/u
const PRICE_COLUMN = /^price_([a-z]{2,5})$/

interface Values {
  sku: string
  name: string
  kind: 'finished' | 'component'
  unit: string
  unitCost: number
  leadTimeDays: number
  moq: number
  batchSize: number
  serviceLevel: number
  active: boolean
}
type Optional = 'unit' | 'moq' | 'batchSize' | 'serviceLevel' | 'active'

interface State {
  /** Price column → market code. */
  priceColumns: Map<string, string>
}

const name = (value: string): Parsed<string> =>
  value.length <= 200 ? { value } : { error: 'is longer than 200 characters' }
const kind = (value: string): Parsed<Values['kind']> =>
  value === 'finished' || value === 'component'
    ? { value }
    : { error: `"${value}" is not finished or component` }

export const productsImporter: Importer<State, Checked[]> = {
  type: 'products',
  access: 'manager',
  record: 'product',
  required: ['sku', 'name', 'kind', 'unit_cost', 'lead_time_days'],
  optional: ['unit', 'moq', 'batch_size', 'service_level', 'active', 'price_<market>'],
  keyColumn: 'sku',
  key: (row) => row.get('sku'),

  async prepare(run, columns) {
    const markets = new Set(
      (await run.ctx.db.selectFrom('markets').select('code').execute()).map((m) => m.code),
    )
    const priceColumns = new Map<string, string>()
    for (const column of columns) {
      const market = PRICE_COLUMN.exec(column)?.[1]?.toUpperCase()
      if (market && markets.has(market)) priceColumns.set(column, market)
    }
    return { priceColumns }
  },

  extraColumn(column, state) {
    if (state.priceColumns.has(column)) return null
    const market = PRICE_COLUMN.exec(column)?.[1]
    return market
      ? `Column ${column}: no market ${market.toUpperCase()}`
      : `Unknown column ${column || '(empty)'}`
  },

  check(state, rows) {
    const records = rows.map((row) => checkProduct(row, state))
    return { errors: records.flatMap((c) => c.errors), records }
  },

  async write(_run, tx, _state, checked) {
    const errors: RowError[] = []
    const skus = checked.map((c) => c.given!.sku)
    const current = await tx.selectFrom('products').selectAll().where('sku', 'in', skus).forUpdate().execute()
    const prices = await tx.selectFrom('product_prices').selectAll().where('sku', 'in', skus).execute()
    const inBom = await sql<{ sku: string }>`
      select product_sku as sku from bom_lines where product_sku = any(${skus}::text[])
      union select component_sku from bom_lines where component_sku = any(${skus}::text[])`.execute(tx)
    const used = new Set(inBom.rows.map((r) => r.sku))
    const bySku = new Map(current.map((p) => [p.sku, p]))
    const priceOf = new Map(prices.map((p) => [`${p.sku}|${p.market_code}`, Number(p.price)]))

    const creates: Values[] = []
    const updates: Values[] = []
    const priceWrites: { sku: string; market: string; price: number }[] = []
    let skipped = 0
    for (const { row, given, prices: givenPrices } of checked) {
      const before = bySku.get(given!.sku)
      const base = before
        ? {
            unit: before.unit,
            moq: before.moq,
            batchSize: before.batch_size,
            serviceLevel: Number(before.service_level),
            active: before.active,
          }
        : PRODUCT_DEFAULTS
      const merged: Values = {
        ...given!,
        unit: given!.unit ?? base.unit,
        moq: given!.moq ?? base.moq,
        batchSize: given!.batchSize ?? base.batchSize,
        serviceLevel: given!.serviceLevel ?? base.serviceLevel,
        active: given!.active ?? base.active,
      }
      const changedPrices = givenPrices.filter((p) => priceOf.get(`${p.sku}|${p.market}`) !== p.price)
      priceWrites.push(...changedPrices)
      if (!before) {
        creates.push(merged)
        continue
      }
      if (merged.kind !== before.kind && used.has(merged.sku))
        errors.push({
          row: row.line,
          column: 'kind',
          message: `Product ${merged.sku} must stay ${before.kind}: a bill of materials uses it`,
        })
      const same =
        merged.name === before.name &&
        merged.kind === before.kind &&
        merged.unit === before.unit &&
        merged.unitCost === Number(before.unit_cost) &&
        merged.leadTimeDays === before.lead_time_days &&
        merged.moq === before.moq &&
        merged.batchSize === before.batch_size &&
        merged.serviceLevel === Number(before.service_level) &&
        merged.active === before.active
      if (same && changedPrices.length === 0) skipped += 1
      else updates.push(merged)
    }
    if (errors.length > 0) return { created: 0, updated: 0, skipped: 0, errors }

    for (let i = 0; i < creates.length; i += 1000)
      await tx
        .insertInto('products')
        .values(creates.slice(i, i + 1000).map(productRow))
        .execute()
    for (const product of updates)
      await tx.updateTable('products').set(productRow(product)).where('sku', '=', product.sku).execute()
    for (let i = 0; i < priceWrites.length; i += 1000)
      await tx
        .insertInto('product_prices')
        .values(
          priceWrites.slice(i, i + 1000).map((p) => ({ sku: p.sku, market_code: p.market, price: p.price })),
        )
        .onConflict((oc) =>
          oc.columns(['sku', 'market_code']).doUpdateSet({ price: (eb) => eb.ref('excluded.price') }),
        )
        .execute()
    return { created: creates.length, updated: updates.length, skipped, errors: [] }
  },
}

const productRow = (p: Values) => ({
  sku: p.sku,
  name: p.name,
  kind: p.kind,
  unit: p.unit,
  unit_cost: p.unitCost,
  lead_time_days: p.leadTimeDays,
  moq: p.moq,
  batch_size: p.batchSize,
  service_level: p.serviceLevel,
  active: p.active,
})

interface Checked {
  row: Row
  given?: Omit<Values, Optional> & Partial<Pick<Values, Optional>>
  prices: { sku: string; market: string; price: number }[]
  errors: RowError[]
}

function checkProduct(row: Row, state: State): Checked {
  const check = new RowCheck(row)
  const sku = check.required('sku', (v) => parseCode(v, SKU, 'SKU (capitals, digits, . _ -)'))
  const productName = check.required('name', name)
  const productKind = check.required('kind', kind)
  const unitCost = check.required('unit_cost', (v) => parseDecimal(v, 0, 1_000_000, 4))
  const leadTimeDays = check.required('lead_time_days', (v) => parseInteger(v, 0, 365))
  const unit = check.optional('unit', (v) => parseCode(v, UNIT, 'unit'))
  const moq = check.optional('moq', (v) => parseInteger(v, 1, 1_000_000))
  const batchSize = check.optional('batch_size', (v) => parseInteger(v, 1, 1_000_000))
  const serviceLevel = check.optional('service_level', (v) => parseDecimal(v, 0.5, 0.9999, 4))
  const active = check.optional('active', parseBoolean)
  const prices: { sku: string; market: string; price: number }[] = []
  for (const [column, market] of state.priceColumns) {
    const price = check.optional(column, (v) => parseDecimal(v, 0, 1_000_000))
    if (price !== undefined && sku) prices.push({ sku, market, price })
  }
  if (!check.ok) return { row, prices, errors: check.errors }
  return {
    row,
    prices,
    errors: [],
    given: {
      sku: sku!,
      name: productName!,
      kind: productKind!,
      unitCost: unitCost!,
      leadTimeDays: leadTimeDays!,
      unit,
      moq,
      batchSize,
      serviceLevel,
      active,
    },
  }
}
