import { type Kysely, sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { OrderSource, Tables } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { KeyRow } from '../../platform/http/idempotency.ts'
import { round } from '../../platform/numbers.ts'
import { BASE_CURRENCY } from '../finance/fx.ts'
import { MAX_ORDER_AMOUNT, newOrderId, orderAmounts } from './amounts.ts'
import { type BatchOrder, bookOrders } from './batch.ts'
import { duplicateExternalId, orderWriter } from './group-commit.ts'
import type { OrderView } from './service.ts'

export interface NewOrder {
  externalId?: string
  channel: string
  market?: string
  currency?: string
  placedAt?: string
  status?: 'pending' | 'paid'
  location?: string
  lines: { sku: string; quantity: number; unitPrice?: number }[]
  shipping?: number
  tax?: number
}

const invalid = (code: string, message: string) => new AppError(422, code, message)

/** How far ahead of the server's clock an order may be dated (clock skew). */
const FUTURE_TOLERANCE_MS = 24 * 3_600_000

/**
 * Books one order: prices default to the product's price in the order's market, tax to the
 * market's rate; the base-currency value uses the FX rate of the order's day. The order reserves
 * stock at its channel's location and enters the rollups. Two statements: one reads everything
 * the order refers to, one writes it, so no transaction is needed, though it may run in the
 * caller's.
 */
export async function insertOrder(
  ctx: AppContext,
  db: Kysely<Tables>,
  input: NewOrder,
  source: OrderSource,
): Promise<OrderView> {
  const { order, view } = await prepareOrder(ctx, db, input, source)
  await bookOrders(ctx, db, [order], source, 'system', { ids: [view.id] }).catch((error) => {
    throw duplicateExternalId(error, { order, source })
  })
  return view
}

/**
 * The API's intake: the order is checked and priced as `insertOrder` does, then written together
 * with the orders that arrive meanwhile (group commit), with its Idempotency-Key row, which
 * `remember` makes from the answer.
 */
export async function acceptOrder(
  ctx: AppContext,
  input: NewOrder,
  remember: (view: OrderView) => KeyRow | undefined,
): Promise<OrderView> {
  const { order, view } = await prepareOrder(ctx, ctx.db, input, 'api')
  await orderWriter(ctx).write({ id: view.id, order, source: 'api', key: remember(view) })
  return view
}

async function prepareOrder(ctx: AppContext, db: Kysely<Tables>, input: NewOrder, source: OrderSource) {
  const order = await resolveOrder(ctx, db, input)
  const view = presentNew(newOrderId(ctx.clock.ms()), source, order)
  // Each line's price and quantity may be within bounds while the total (or its value in the base
  // currency) is more than the order's money columns hold: refused here, not by the write.
  if (Math.max(view.total, view.totalBase) > MAX_ORDER_AMOUNT)
    throw invalid(
      'AMOUNT_TOO_LARGE',
      `The order's total (${view.total} ${view.currency}, ${view.totalBase} ${BASE_CURRENCY}) is more than ${MAX_ORDER_AMOUNT}`,
    )
  return { order, view }
}

interface References {
  channel: string | null
  market: string | null
  currency: string | null
  tax_rate: string | null
  location: string | null
  fx_rate: string | null
  products: { sku: string; unitCost: number; active: boolean; price: number | null }[]
}

/** The order checked against the catalog in one query, and priced: codes known, lines priced, FX rate found. */
async function resolveOrder(ctx: AppContext, db: Kysely<Tables>, input: NewOrder): Promise<BatchOrder> {
  const placedAt = input.placedAt ? new Date(input.placedAt) : ctx.clock.now()
  if (Number.isNaN(placedAt.getTime()))
    throw invalid('INVALID_DATE', `placedAt ${input.placedAt} is not a date`)
  if (placedAt.getTime() > ctx.clock.ms() + FUTURE_TOLERANCE_MS)
    throw invalid('INVALID_DATE', 'placedAt is more than a day in the future')
  const day = placedAt.toISOString().slice(0, 10)
  const skus = [...new Set(input.lines.map((line) => line.sku))]
  const { rows } = await sql<References>`
    with picked as (
      select c.code as channel, c.location_code, m.code as market, m.tax_rate,
        coalesce(${input.currency ?? null}::text, trim(m.currency)) as currency
      from (select) as one
      left join channels c on c.code = ${input.channel}::text
      left join markets m on m.code = coalesce(${input.market ?? null}::text, c.market_code)
    )
    select p.channel, p.market, p.currency, p.tax_rate,
      (select code from locations where code = coalesce(${input.location ?? null}::text, p.location_code)) as location,
      case when p.currency = ${BASE_CURRENCY} then 1 else (
        select rate from fx_rates where currency = p.currency::char(3) and day <= ${day}::date
        order by day desc limit 1
      ) end as fx_rate,
      (select coalesce(json_agg(json_build_object(
          'sku', pr.sku, 'unitCost', pr.unit_cost, 'active', pr.active, 'price', pp.price)), '[]')
        from products pr
        left join product_prices pp on pp.sku = pr.sku and pp.market_code = p.market
        where pr.sku = any(${skus}::text[])) as products
    from picked as p`.execute(db)
  const refs = rows[0]!
  if (refs.channel === null) throw invalid('UNKNOWN_CHANNEL', `No sales channel ${input.channel}`)
  if (refs.market === null) throw invalid('UNKNOWN_MARKET', `No market ${input.market}`)
  if (refs.location === null) throw invalid('UNKNOWN_LOCATION', `No location ${input.location}`)
  if (refs.fx_rate === null)
    throw invalid('NO_FX_RATE', `No ${refs.currency}→${BASE_CURRENCY} exchange rate on or before ${day}`)

  const bySku = new Map(refs.products.map((p) => [p.sku, p]))
  const lines = input.lines.map((line) => {
    const product = bySku.get(line.sku)
    if (!product) throw invalid('UNKNOWN_SKU', `No product ${line.sku}`)
    if (!product.active) throw invalid('INACTIVE_SKU', `Product ${line.sku} is no longer sold`)
    const unitPrice = line.unitPrice ?? product.price
    if (unitPrice === null)
      throw invalid('NO_PRICE', `${line.sku} has no price in ${refs.market}; give unitPrice`)
    // Money is stored in cents: priced here as it will be stored, so the totals add up.
    return { sku: line.sku, quantity: line.quantity, unitPrice: round(unitPrice), unitCost: product.unitCost }
  })
  return {
    externalId: input.externalId ?? null,
    channelCode: refs.channel,
    marketCode: refs.market,
    locationCode: refs.location,
    currency: refs.currency!,
    status: input.status ?? 'pending',
    placedAt,
    fxRate: Number(refs.fx_rate),
    taxRate: Number(refs.tax_rate),
    tax: input.tax === undefined ? undefined : round(input.tax),
    shipping: input.shipping === undefined ? undefined : round(input.shipping),
    lines,
  }
}

/** The order as `getOrder` will read it once stored. */
function presentNew(id: string, source: OrderSource, order: BatchOrder): OrderView {
  const amounts = orderAmounts(order.lines, order.taxRate, order.fxRate, order)
  return {
    id,
    source,
    externalId: order.externalId,
    channel: order.channelCode,
    market: order.marketCode,
    location: order.locationCode,
    currency: order.currency,
    status: order.status,
    placedAt: order.placedAt.toISOString(),
    ...amounts,
    fxRate: order.fxRate,
    lines: order.lines.map((line, i) => ({
      lineNo: i + 1,
      sku: line.sku,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
    })),
  }
}
