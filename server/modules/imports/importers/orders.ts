import { sql } from 'kysely'
import type { OrderStatus } from '../../../platform/db/schema.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { actorLabel } from '../../../platform/http/principal.ts'
import { BASE_CURRENCY } from '../../finance/fx.ts'
import { type BatchOrder, bookOrders } from '../../orders/batch.ts'
import { RowCheck } from '../check.ts'
import { loadReference, type Reference, rateOn } from '../reference.ts'
import type { Importer, Row, RowError } from '../types.ts'
import { type Parsed, parseCode, parseDateTime, parseDecimal, parseInteger } from '../values.ts'

/**
 * Orders, one row per order line; the rows of one order share its `external_id`, follow each
 * other and repeat the order's own columns. Booked as source `csv`, so `(csv, external_id)`
 * makes a second import of the same file create nothing. Priced, taxed, converted, reserved
 * and rolled up as the orders API does (orders/batch.ts), in a few statements per batch.
 */

const STATUSES: readonly OrderStatus[] = ['pending', 'paid', 'fulfilled', 'cancelled', 'refunded']
/** The order's own columns: the same on every row of one order. */
const ORDER_COLUMNS = ['channel', 'market', 'currency', 'location', 'placed_at', 'status', 'shipping', 'tax']
/** As the orders API allows. */
const MAX_LINES = 500
const MAX_MONEY = 1_000_000_000
/** How far ahead of now an order may be dated (clock skew), as the orders API allows. */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000

const text =
  (max: number) =>
  (value: string): Parsed<string> =>
    value.length <= max ? { value } : { error: `is longer than ${max} characters` }
const money = (value: string) => parseDecimal(value, 0, MAX_MONEY)
const oneOf =
  <T extends string>(values: readonly T[]) =>
  (value: string): Parsed<T> =>
    values.includes(value.toLowerCase() as T)
      ? { value: value.toLowerCase() as T }
      : { error: `"${value}" is not one of ${values.join(', ')}` }

interface State {
  reference: Reference
  now: number
}

export const ordersImporter: Importer<State, Checked[]> = {
  type: 'orders',
  access: 'operator',
  record: 'order',
  required: ['external_id', 'channel', 'placed_at', 'sku', 'quantity'],
  optional: ['market', 'currency', 'location', 'status', 'unit_price', 'shipping', 'tax'],
  keyColumn: 'external_id',
  grouped: true,
  concurrent: true,
  key: (row) => row.get('external_id'),

  async prepare(run) {
    return { reference: await loadReference(run.ctx.db), now: run.ctx.clock.ms() }
  },

  check(state, rows) {
    const records = groupsOf(rows).map((group) => checkOrder(group, state))
    return { errors: records.flatMap((c) => c.errors), records }
  },

  async write(run, tx, _state, checked) {
    const ids = checked.map((c) => c.order!.externalId!)
    const existing = await sql<{ external_id: string }>`
      select external_id from orders where source = 'csv' and external_id = any(${ids}::text[])`.execute(tx)
    const imported = new Set(existing.rows.map((row) => row.external_id))
    const fresh = checked.filter((c) => !imported.has(c.order!.externalId!))
    try {
      await bookOrders(
        run.ctx,
        tx,
        fresh.map((c) => c.order!),
        'csv',
        actorLabel(run.actor),
      )
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'INSUFFICIENT_STOCK') throw error
      const { order, sku } = error.details as { order: number; sku: string }
      const row = fresh[order]!.rows.find((r) => r.get('sku') === sku) ?? fresh[order]!.rows[0]!
      return {
        created: 0,
        updated: 0,
        skipped: 0,
        errors: [
          {
            row: row.line,
            column: 'quantity',
            message: `A fulfilled order ships its stock: ${error.message}`,
          },
        ],
      }
    }
    return { created: fresh.length, updated: 0, skipped: imported.size, errors: [] }
  },
}

/** Consecutive rows with the same external id (a row without one stands alone). */
function groupsOf(rows: Row[]): Row[][] {
  const groups: Row[][] = []
  let last: string | undefined
  for (const row of rows) {
    const key = row.get('external_id')
    if (key !== '' && key === last) groups.at(-1)!.push(row)
    else groups.push([row])
    last = key
  }
  return groups
}

interface Checked {
  order?: BatchOrder
  rows: Row[]
  errors: RowError[]
}

function checkOrder(rows: Row[], { reference, now }: State): Checked {
  const first = new RowCheck(rows[0]!)
  const externalId = first.required('external_id', text(100))
  const channelCode = first.required('channel', (code) =>
    reference.channels.has(code) ? { value: code } : { error: `no sales channel ${code}` },
  )
  const channel = channelCode ? reference.channels.get(channelCode) : undefined
  const marketCode =
    first.optional('market', (code) =>
      reference.markets.has(code) ? { value: code } : { error: `no market ${code}` },
    ) ?? channel?.market
  const market = marketCode ? reference.markets.get(marketCode) : undefined
  const currency =
    first.optional('currency', (code) => parseCode(code, /^[A-Z]{3}$/, 'currency code')) ?? market?.currency
  const locationCode =
    first.optional('location', (code) =>
      reference.locations.has(code) ? { value: code } : { error: `no location ${code}` },
    ) ?? channel?.location
  const placedAt = first.required('placed_at', parseDateTime)
  if (placedAt && placedAt.getTime() > now + FUTURE_TOLERANCE_MS)
    first.fail('placed_at', 'placed_at is more than a day in the future')
  const status = first.optional('status', oneOf(STATUSES)) ?? 'pending'
  const shipping = first.optional('shipping', money)
  const tax = first.optional('tax', money)
  const fxRate = currency && placedAt ? rateOn(reference, currency, placedAt) : undefined
  if (currency && placedAt && fxRate === undefined)
    first.fail(
      'currency',
      `No ${currency}→${BASE_CURRENCY} exchange rate on or before ${placedAt.toISOString().slice(0, 10)}`,
    )
  if (rows.length > MAX_LINES) first.fail('external_id', `An order may have at most ${MAX_LINES} lines`)

  const errors: RowError[] = []
  const lines: BatchOrder['lines'] = []
  rows.forEach((row, index) => {
    const check = index === 0 ? first : new RowCheck(row)
    if (index > 0)
      for (const column of ORDER_COLUMNS)
        if (row.get(column) !== rows[0]!.get(column))
          check.fail(
            column,
            `${column} differs from row ${rows[0]!.line}, the first row of order ${externalId}`,
          )
    const sku = check.required('sku', (value) => {
      const product = reference.products.get(value)
      if (!product) return { error: `no product ${value}` }
      if (!product.active) return { error: `product ${value} is no longer sold` }
      return { value }
    })
    const quantity = check.required('quantity', (value) => parseInteger(value, 1, 1_000_000))
    const given = check.optional('unit_price', money)
    const product = sku ? reference.products.get(sku) : undefined
    const unitPrice = given ?? (marketCode ? product?.prices.get(marketCode) : undefined)
    if (product && marketCode && unitPrice === undefined)
      check.fail('unit_price', `${sku} has no price in ${marketCode}; give unit_price`)
    if (index > 0) errors.push(...check.errors)
    if (product && quantity !== undefined && unitPrice !== undefined)
      lines.push({ sku: sku!, quantity, unitPrice, unitCost: product.unitCost })
  })
  errors.unshift(...first.errors)
  if (errors.length > 0) return { rows, errors }
  return {
    rows,
    errors,
    order: {
      externalId: externalId!,
      channelCode: channelCode!,
      marketCode: marketCode!,
      locationCode: locationCode!,
      currency: currency!,
      status,
      placedAt: placedAt!,
      fxRate: fxRate!,
      taxRate: market!.taxRate,
      tax,
      shipping,
      lines,
    },
  }
}
