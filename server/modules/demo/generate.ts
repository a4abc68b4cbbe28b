import type { Insertable } from 'kysely'
import type { OrderStatus, Tables } from '../../platform/db/schema.ts'
import { round } from '../../platform/numbers.ts'
import {
  DOWNTIME_REASONS,
  REJECT_SHARE,
  RETAIL_QUANTITIES,
  SECOND_LINE_SHARE,
  SESSIONS_PER_ORDER,
  WHOLESALE_CASE,
  WHOLESALE_CASES,
  YIELD,
} from './behaviour.ts'
import { DEMO_CATALOG } from './catalog.ts'
import { Random } from './random.ts'

/**
 * Simulates the demo business day by day: orders with weekly and yearly seasonality, growth and
 * promotions; stock at each location, with lost sales when a product is out; production batches
 * on two lines (downtime, rejects) that consume components; purchase orders that replenish them;
 * storefront sessions; FX rates; receivables from channel payouts and wholesale invoices; payables
 * from supplier bills. Pure and deterministic for a seed and a `now`.
 */
export interface DemoOptions {
  days: number
  /** Multiplies order volume (benchmarks use it for millions of orders). */
  scale: number
  seed: number
  now: Date
}

type Row<T extends keyof Tables> = Insertable<Tables[T]>

export interface DemoRows {
  fx_rates: Row<'fx_rates'>[]
  orders: Row<'orders'>[]
  order_lines: Row<'order_lines'>[]
  stock_reservations: Row<'stock_reservations'>[]
  stock_movements: Row<'stock_movements'>[]
  storefront_sessions: Row<'storefront_sessions'>[]
  production_batches: Row<'production_batches'>[]
  production_downtime: Row<'production_downtime'>[]
  purchase_orders: Row<'purchase_orders'>[]
  purchase_order_lines: Row<'purchase_order_lines'>[]
  receivables: Row<'receivables'>[]
  payables: Row<'payables'>[]
}

const DAY = 86_400_000
const HOUR = 3_600_000
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** Orders per day at the start of the year, per channel. */
const BASE_ORDERS: Record<string, number> = {
  'shopify-uk': 38,
  'shopify-eu': 13,
  'shopify-usa': 10,
  'amazon-uk': 22,
  'amazon-usa': 12,
  wholesale: 1.1,
}
/** Sunday first. */
const WEEKDAY = [1.15, 0.9, 0.92, 0.95, 1.0, 1.1, 1.2]
/** Share of a day's D2C orders in each UTC hour. */
const HOURS = [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 6, 5, 4.5, 4.5, 5, 6, 7, 7, 6, 4, 2]
const SKU_MIX = { 'GABA-RED': 0.5, 'GABA-BLACK': 0.33, 'GABA-GOLD': 0.17 }
const FINISHED = Object.keys(SKU_MIX) as (keyof typeof SKU_MIX)[]

/** Every generated row at once (tests and small runs). */
export function generateDemo(options: DemoOptions): DemoRows {
  const all = emptyRows()
  for (const part of demoChunks(options))
    for (const key of Object.keys(all) as (keyof DemoRows)[]) (all[key] as unknown[]).push(...part[key])
  return all
}

const emptyRows = (): DemoRows => ({
  fx_rates: [],
  orders: [],
  order_lines: [],
  stock_reservations: [],
  stock_movements: [],
  storefront_sessions: [],
  production_batches: [],
  production_downtime: [],
  purchase_orders: [],
  purchase_order_lines: [],
  receivables: [],
  payables: [],
})

/** Days per chunk: memory stays small however long or large the history (`--scale`). */
const CHUNK_DAYS = 14

/**
 * The rows a fortnight at a time. Every row refers only to rows of its own chunk or earlier ones
 * (an order's lines, a batch's downtime, a purchase order's lines come with it).
 */
export function* demoChunks(options: DemoOptions): Generator<DemoRows> {
  const random = new Random(options.seed)
  const rows: DemoRows = emptyRows()
  const end = Math.floor(options.now.getTime() / HOUR) * HOUR
  const firstDay = Math.floor(end / DAY) * DAY - (options.days - 1) * DAY
  const catalog = DEMO_CATALOG
  const price = (sku: string, market: string) =>
    (catalog.prices.find(([s]) => s === sku)?.[1] as Record<string, number> | undefined)?.[market] ?? 0
  const product = (sku: string) => catalog.products.find((p) => p.sku === sku)!
  const channelOf = (code: string) => catalog.channels.find((c) => c.code === code)!
  const currencyOf = (market: string) => catalog.markets.find((m) => m.code === market)!.currency
  const taxOf = (market: string) => catalog.markets.find((m) => m.code === market)!.tax_rate
  const promotions = Array.from(
    { length: 4 },
    (_, i) => firstDay + Math.floor((i + random.next()) * (options.days / 4)) * DAY,
  )

  // Stock per "sku@location", starting from an opening balance of about 30 days of demand.
  const stock = new Map<string, number>()
  const move = (
    at: number,
    kind: Row<'stock_movements'>['kind'],
    sku: string,
    location: string,
    quantity: number,
    extra: Partial<Row<'stock_movements'>> = {},
  ) => {
    if (quantity === 0) return
    stock.set(`${sku}@${location}`, (stock.get(`${sku}@${location}`) ?? 0) + quantity)
    rows.stock_movements.push({
      kind,
      sku,
      location_code: location,
      quantity,
      occurred_at: new Date(at),
      actor: 'system:demo',
      ...extra,
    })
  }
  const dailyDemand = (sku: string, location: string) => {
    const share = SKU_MIX[sku as keyof typeof SKU_MIX] ?? 0
    const perLocation = catalog.channels
      .filter((c) => c.location_code === location)
      .reduce((sum, c) => sum + (BASE_ORDERS[c.code] ?? 0) * (c.kind === 'wholesale' ? 90 : 1.5), 0)
    return share * perLocation * options.scale
  }
  const outlets = [...new Set(catalog.channels.map((c) => c.location_code))]
  for (const sku of FINISHED)
    for (const location of outlets)
      move(firstDay, 'adjustment', sku, location, Math.round(dailyDemand(sku, location) * 30), {
        note: 'opening balance',
      })
  const componentUse = (sku: string) =>
    FINISHED.reduce((sum, f) => sum + (bomOf(f)[sku] ?? 0), 0) / FINISHED.length
  const bomOf = (sku: string) => (catalog.bom.find(([s]) => s === sku)?.[1] ?? {}) as Record<string, number>
  const totalDaily = outlets.reduce((sum, l) => sum + FINISHED.reduce((s, f) => s + dailyDemand(f, l), 0), 0)
  const components = catalog.products.filter((p) => p.kind === 'component')
  for (const c of components)
    move(firstDay, 'adjustment', c.sku, 'FACTORY', Math.ceil(componentUse(c.sku) * totalDaily * 45), {
      note: 'opening balance',
    })

  const recentDemand = new Map<string, number[]>()
  const openPurchase = new Map<string, number>()
  let orderNo = 0
  let batchNo = 0
  const rate = { EUR: 0.86, USD: 0.79 }

  const arrivals: {
    at: number
    sku: string
    quantity: number
    id: string
    supplier: (typeof catalog.suppliers)[number]
  }[] = []

  for (let day = firstDay; day <= end; day += DAY) {
    const t = (day - firstDay) / (365 * DAY)
    // Purchase orders that arrive today: the receipt, and the supplier's bill.
    for (const arrival of arrivals.filter((a) => a.at < day + DAY)) {
      arrivals.splice(arrivals.indexOf(arrival), 1)
      openPurchase.set(arrival.sku, 0)
      const { id, sku, quantity, supplier } = arrival
      move(arrival.at, 'receipt', sku, 'FACTORY', quantity, {
        reference_type: 'purchase_order',
        reference_id: id,
        lot: id,
      })
      const value = round(quantity * product(sku).unit_cost)
      const due = arrival.at + supplier.payment_days * DAY
      const rateOf = supplier.currency === 'GBP' ? 1 : rate[supplier.currency as 'EUR' | 'USD']
      rows.payables.push({
        id: `bill-${id}`,
        supplier_id: supplier.id,
        reference: id,
        currency: supplier.currency,
        amount: round(value / rateOf),
        amount_base: value,
        issued_on: iso(arrival.at),
        due_on: iso(due),
        paid_on: due <= end ? iso(due) : null,
      })
    }
    rate.EUR = round((rate.EUR + random.normal() * 0.002) * 10000) / 10000
    rate.USD = round((rate.USD + random.normal() * 0.002) * 10000) / 10000
    rows.fx_rates.push(
      { currency: 'EUR', day: iso(day), rate: rate.EUR },
      { currency: 'USD', day: iso(day), rate: rate.USD },
    )
    const fx = (currency: string) => (currency === 'GBP' ? 1 : rate[currency as 'EUR' | 'USD'])
    const weekday = new Date(day).getUTCDay()
    const dayOfYear = (day - Date.UTC(new Date(day).getUTCFullYear(), 0, 1)) / DAY
    const season = 1 + 0.25 * Math.cos((2 * Math.PI * (dayOfYear - 350)) / 365)
    const promo = promotions.some((p) => day >= p && day < p + 5 * DAY) ? 1.8 : 1
    const sold = new Map<string, number>()
    const payouts = new Map<string, number>()

    for (const [code, base] of Object.entries(BASE_ORDERS)) {
      const channel = channelOf(code)
      const wholesale = channel.kind === 'wholesale'
      if (wholesale && (weekday === 0 || weekday === 6)) continue
      const expected =
        base * (1 + 0.6 * t) * (wholesale ? 1 : WEEKDAY[weekday]! * season * promo) * options.scale
      const hourWeights = HOURS.reduce((sum, w) => sum + w, 0)
      if (channel.kind in SESSIONS_PER_ORDER) {
        for (let hour = 0; hour < 24 && day + hour * HOUR < end; hour++) {
          const visits =
            ((expected * HOURS[hour]!) / hourWeights / (promo > 1 ? 0.7 : 1)) *
            SESSIONS_PER_ORDER[channel.kind]!
          rows.storefront_sessions.push({
            channel_code: code,
            hour: new Date(day + hour * HOUR),
            visits: random.poisson(visits),
          })
        }
      }
      for (let n = random.poisson(expected); n > 0; n--) {
        let hour = 0
        for (let pick = random.next() * hourWeights; hour < 23 && pick >= HOURS[hour]!; hour++)
          pick -= HOURS[hour]!
        const placed = day + hour * HOUR + random.int(0, 3599) * 1000
        if (placed >= end) continue
        const market = channel.market_code
        const lines: { sku: string; quantity: number; price: number }[] = []
        for (let l = wholesale ? 3 : random.chance(SECOND_LINE_SHARE) ? 2 : 1; l > 0; l--) {
          const sku = wholesale ? FINISHED[l - 1]! : random.weighted(SKU_MIX)
          if (lines.some((line) => line.sku === sku)) continue
          const quantity = wholesale
            ? WHOLESALE_CASE * random.int(WHOLESALE_CASES.min, WHOLESALE_CASES.max)
            : random.weighted(RETAIL_QUANTITIES)
          const key = `${sku}@${channel.location_code}`
          if ((stock.get(key) ?? 0) < Number(quantity)) continue // out of stock: a lost sale
          stock.set(key, (stock.get(key) ?? 0) - Number(quantity))
          sold.set(sku, (sold.get(sku) ?? 0) + Number(quantity))
          lines.push({
            sku,
            quantity: Number(quantity),
            price: round(price(sku, market) * (wholesale ? 0.55 : 1)),
          })
        }
        if (lines.length === 0) continue
        const age = (end - placed) / DAY
        const status: OrderStatus =
          age > 3
            ? (random.weighted({ fulfilled: 96, cancelled: 2.5, refunded: 1.5 }) as OrderStatus)
            : age > 1
              ? (random.weighted({ paid: 60, fulfilled: 35, cancelled: 5 }) as OrderStatus)
              : (random.weighted({ pending: 50, paid: 50 }) as OrderStatus)
        const currency = currencyOf(market)
        const subtotal = round(lines.reduce((sum, line) => sum + line.quantity * line.price, 0))
        const tax = round(subtotal * taxOf(market))
        const shipping =
          wholesale || channel.kind === 'amazon' || subtotal >= 50 ? 0 : market === 'UK' ? 3.95 : 7.95
        const total = round(subtotal + tax + shipping)
        const id = `ord_demo${(++orderNo).toString(36).padStart(7, '0')}`
        rows.orders.push({
          id,
          source: 'demo',
          external_id: null,
          channel_code: code,
          market_code: market,
          currency,
          status,
          placed_at: new Date(placed),
          subtotal,
          tax,
          shipping,
          total,
          fx_rate: fx(currency),
          total_base: round(total * fx(currency)),
          location_code: channel.location_code,
        })
        for (const [i, line] of lines.entries()) {
          rows.order_lines.push({
            order_id: id,
            line_no: i + 1,
            sku: line.sku,
            quantity: line.quantity,
            unit_price: line.price,
            unit_cost: product(line.sku).unit_cost,
          })
        }
        for (const line of lines) {
          if (status === 'cancelled' || status === 'refunded') {
            // the stock was never shipped (refunds in the demo are before dispatch)
            stock.set(
              `${line.sku}@${channel.location_code}`,
              (stock.get(`${line.sku}@${channel.location_code}`) ?? 0) + line.quantity,
            )
          } else if (status === 'fulfilled') {
            rows.stock_movements.push({
              kind: 'sale',
              sku: line.sku,
              location_code: channel.location_code,
              quantity: -line.quantity,
              occurred_at: new Date(Math.min(placed + DAY, end)),
              reference_type: 'order',
              reference_id: id,
              actor: 'system:demo',
            })
          } else {
            // reserved, not shipped yet: the ledger's on-hand stays until fulfilment
            rows.stock_reservations.push({
              order_id: id,
              sku: line.sku,
              location_code: channel.location_code,
              quantity: line.quantity,
            })
          }
        }
        if (status !== 'cancelled' && status !== 'refunded') {
          if (wholesale)
            rows.receivables.push(
              invoice(
                `inv-${id}`,
                'Wholesale customer',
                id,
                currency,
                total,
                fx(currency),
                placed,
                channel.payout_days,
                end,
                random,
              ),
            )
          else payouts.set(code, (payouts.get(code) ?? 0) + total * (1 - channel.fee_pct))
        }
      }
    }
    for (const [code, amount] of payouts) {
      const channel = channelOf(code)
      const currency = currencyOf(channel.market_code)
      rows.receivables.push(
        invoice(
          `payout-${code}-${iso(day)}`,
          channel.name,
          `payout ${iso(day)}`,
          currency,
          amount,
          fx(currency),
          day,
          channel.payout_days,
          end,
          random,
        ),
      )
    }

    // Production: each line makes at most one batch a weekday, of the product with the least cover.
    for (const sku of FINISHED) {
      const history = recentDemand.get(sku) ?? []
      history.push(sold.get(sku) ?? 0)
      if (history.length > 14) history.shift()
      recentDemand.set(sku, history)
    }
    if (weekday !== 0 && weekday !== 6) {
      const cover = (sku: string) => {
        const onHand = outlets.reduce((sum, l) => sum + (stock.get(`${sku}@${l}`) ?? 0), 0)
        const history = recentDemand.get(sku) ?? []
        const mean =
          history.reduce((a, b) => a + b, 0) / Math.max(1, history.length) || dailyDemand(sku, 'UK-WH')
        return onHand / Math.max(1, mean)
      }
      const queue = [...FINISHED].sort((a, b) => cover(a) - cover(b)).filter((sku) => cover(sku) < 14)
      for (const line of catalog.lines) {
        const sku = queue.shift()
        if (!sku) break
        const planned = product(sku).batch_size * Math.max(1, Math.round(options.scale))
        const needs = Object.entries(bomOf(sku))
        const short = needs.some(([c, q]) => (stock.get(`${c}@FACTORY`) ?? 0) < Math.ceil(q * planned))
        const id = `batch-${(++batchNo).toString().padStart(5, '0')}`
        const start = day + (line.code === 'LINE-1' ? 6 : 7) * HOUR
        const downtime = short ? 120 : random.chance(0.45) ? random.int(5, 45) : 0
        const runHours = planned / line.ideal_rate_per_hour
        const rejected = short ? 0 : Math.round(planned * random.between(REJECT_SHARE.min, REJECT_SHARE.max))
        const good = short ? 0 : Math.round(planned * random.between(YIELD.min, YIELD.max)) - rejected
        const finished = start + runHours * HOUR + downtime * 60_000
        const done = finished <= end
        rows.production_batches.push({
          id,
          line_code: line.code,
          sku,
          location_code: 'FACTORY',
          lot: `L${iso(day).replaceAll('-', '')}-${line.code.slice(-1)}`,
          status: short ? 'cancelled' : done ? 'completed' : 'running',
          planned_quantity: planned,
          good_count: done ? good : 0,
          rejected_count: done ? rejected : 0,
          planned_start: new Date(start),
          planned_end: new Date(start + runHours * HOUR),
          started_at: new Date(start),
          ended_at: done ? new Date(finished) : null,
        })
        if (downtime > 0)
          rows.production_downtime.push({
            batch_id: id,
            reason: short
              ? 'material shortage'
              : random.weighted(Object.fromEntries(DOWNTIME_REASONS.slice(0, 4).map((r) => [r, 1]))),
            minutes: downtime,
            started_at: new Date(start + HOUR / 2),
          })
        if (short || !done) continue
        const lot = `L${iso(day).replaceAll('-', '')}-${line.code.slice(-1)}`
        for (const [component, perUnit] of needs)
          move(finished, 'consumption', component, 'FACTORY', -Math.ceil(perUnit * (good + rejected)), {
            reference_type: 'batch',
            reference_id: id,
          })
        move(finished, 'production_output', sku, 'FACTORY', good, {
          lot,
          expires_on: iso(day + 540 * DAY),
          reference_type: 'batch',
          reference_id: id,
        })
        // ship the batch out to the outlets in proportion to their demand
        const weights = outlets.map((l) => dailyDemand(sku, l))
        const sum = weights.reduce((a, b) => a + b, 0)
        let left = good
        outlets.forEach((location, i) => {
          const quantity = i === outlets.length - 1 ? left : Math.floor((good * weights[i]!) / sum)
          left -= quantity
          move(finished, 'transfer_out', sku, 'FACTORY', -quantity, {
            lot,
            reference_type: 'batch',
            reference_id: id,
          })
          move(finished, 'transfer_in', sku, location, quantity, {
            lot,
            reference_type: 'batch',
            reference_id: id,
          })
        })
      }
    }

    // Components: order 60 days of use when below the lead time plus three weeks of use.
    for (const c of components) {
      const onOrder = openPurchase.get(c.sku) ?? 0
      const use = componentUse(c.sku) * totalDaily * (1 + 0.6 * t)
      if (onOrder === 0 && (stock.get(`${c.sku}@FACTORY`) ?? 0) < use * (c.lead_time_days + 21)) {
        const supplier =
          catalog.suppliers.find((s) => Math.abs(s.lead_time_days - c.lead_time_days) < 1) ??
          catalog.suppliers[0]!
        const quantity = Math.max(c.moq, Math.ceil((use * 60) / c.batch_size) * c.batch_size)
        const id = `po-${iso(day)}-${c.sku.toLowerCase()}`
        const arrival = day + c.lead_time_days * DAY + 5 * HOUR // before the first shift
        const received = arrival <= end
        rows.purchase_orders.push({
          id,
          supplier_id: supplier.id,
          location_code: 'FACTORY',
          status: received ? 'received' : 'ordered',
          currency: supplier.currency,
          ordered_at: new Date(day + 9 * HOUR),
          expected_at: new Date(arrival),
          received_at: received ? new Date(arrival) : null,
        })
        rows.purchase_order_lines.push({
          purchase_order_id: id,
          sku: c.sku,
          quantity,
          unit_cost: c.unit_cost,
        })
        openPurchase.set(c.sku, quantity)
        if (received) arrivals.push({ at: arrival, sku: c.sku, quantity, id, supplier })
      }
    }
    if (((day - firstDay) / DAY) % CHUNK_DAYS === CHUNK_DAYS - 1) {
      yield { ...rows }
      Object.assign(rows, emptyRows())
    }
  }
  yield rows
}

function invoice(
  id: string,
  counterparty: string,
  reference: string,
  currency: string,
  amount: number,
  rate: number,
  issued: number,
  termsDays: number,
  end: number,
  random: Random,
): Row<'receivables'> {
  const due = issued + termsDays * DAY
  const paid = due + random.int(-2, termsDays > 30 ? 20 : 1) * DAY
  return {
    id,
    counterparty,
    reference,
    currency,
    amount: round(amount),
    amount_base: round(amount * rate),
    issued_on: iso(issued),
    due_on: iso(due),
    paid_on: paid <= end ? iso(Math.max(paid, issued)) : null,
  }
}
