import { randomBytes } from 'node:crypto'
import { UnreachableError } from '../cli/http.ts'
import { type CallOptions, CheckRunner, type CheckScope, fail, type VerifyReport } from './checks.ts'
import { type Pick, pickProduct } from './pick.ts'
import type { Target } from './target.ts'

/** How the critical path signs in: a person's email and password (preferred), or an API key. */
export type Credentials =
  | { kind: 'password'; email: string; password: string }
  | { kind: 'apikey'; apiKey: string }

export interface CriticalPathOptions {
  target: Target
  credentials: Credentials
  timeoutMs: number
  /** Units to order (default 1). */
  quantity?: number
  /** Order this product (default: the first that fits). */
  sku?: string
  /** Through this channel (default: the first that fits). */
  channel?: string
}

/** Every order the check creates has an external id (and Idempotency-Key) starting with this. */
export const CRITICAL_PATH_PREFIX = 'critical-path-'

const MAY_ORDER = new Set(['operator', 'manager', 'admin'])
const HOUR = 3_600_000

interface Stock {
  onHand: number
  reserved: number
  available: number
  held: { orders: number; quantity: number }
  order?: { id: string; quantity: number }
}
interface Order {
  id: string
  externalId: string | null
  status: string
  location: string
  placedAt: string
  currency: string
  total: number
  totalBase: number
  lines: { sku: string; quantity: number }[]
}
interface KpiWindow {
  from: Date
  to: Date
  orders: number
  revenue: number
  currency: string
}

/** Reads with the session cookie or the API key; changes with a cookie also carry the app's Origin (CSRF). */
class Caller {
  cookie: string | null = null

  constructor(
    readonly credentials: Credentials,
    readonly origin: string,
  ) {}

  read(): CallOptions {
    if (this.credentials.kind === 'apikey') return { apiKey: this.credentials.apiKey }
    return { headers: this.cookie ? { cookie: this.cookie } : {} }
  }

  change(method: string, body: unknown, headers: Record<string, string> = {}): CallOptions {
    const read = this.read()
    const origin: Record<string, string> = this.credentials.kind === 'password' ? { origin: this.origin } : {}
    return { ...read, method, body, headers: { ...read.headers, ...origin, ...headers } }
  }

  get label(): string {
    return this.credentials.kind === 'password' ? `${this.credentials.email} (signed in)` : 'an API key'
  }
}

/** The Cookie header that sends back what Set-Cookie set (cleared cookies left out). */
function cookieFrom(headers: Headers): string {
  return headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .filter((c) => !c.endsWith('='))
    .join('; ')
}

const floorHour = (ms: number) => Math.floor(ms / HOUR) * HOUR
const hhmm = (d: Date) => d.toISOString().slice(11, 16)
/** The server's clock from an answer's Date header, so the KPI window does not depend on this machine's clock. */
const serverNow = (headers: Headers) => {
  const date = Date.parse(headers.get('date') ?? '')
  return Number.isNaN(date) ? Date.now() : date
}

async function readStock(scope: CheckScope, caller: Caller, pick: Pick, orderId?: string): Promise<Stock> {
  const query = `sku=${encodeURIComponent(pick.sku)}&location=${encodeURIComponent(pick.location)}`
  const path = `/api/inventory/reservations?${query}${orderId ? `&order=${encodeURIComponent(orderId)}` : ''}`
  return (await scope.expect(path, 200, caller.read())).body as Stock
}

async function readKpi(
  scope: CheckScope,
  caller: Caller,
  channel: string,
  from: Date,
  to: Date,
): Promise<KpiWindow> {
  const path =
    `/api/kpis/revenue?interval=hour&by=channel` +
    `&from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`
  const { body } = await scope.expect(path, 200, caller.read())
  const series = body as { currency: string; points: { key: string; revenue: number; count: number }[] }
  if (!Array.isArray(series.points)) fail('/api/kpis/revenue answered without points')
  const mine = series.points.filter((p) => p.key === channel)
  return {
    from,
    to,
    orders: mine.reduce((sum, p) => sum + p.count, 0),
    revenue: Math.round(mine.reduce((sum, p) => sum + p.revenue, 0) * 100) / 100,
    currency: series.currency,
  }
}

/** reserved − the orders' reservations: unchanged by any order's reservation or release, ours or others'. */
const offset = (stock: Stock) => stock.reserved - stock.held.quantity

/**
 * The business critical path against a running instance, as a person or machine goes through
 * it: sign in, find something to sell, book an order (with an Idempotency-Key, retried once),
 * find it among the pending orders, see the KPI count it and the stock reserved for it, cancel
 * it, see the reservation released and the history record both. Figures are compared so other
 * traffic cannot fail them: the order is found by id, its own reservation is read, the level
 * must move exactly as the orders' reservations behind it do, and the KPI window is fixed in
 * time. It leaves one cancelled order behind (external id `critical-path-…`); an order it made
 * is cancelled even when a later step fails, and the session it signed in with is signed out.
 */
export async function criticalPath(options: CriticalPathOptions): Promise<VerifyReport> {
  const checks = new CheckRunner(options.target, options.timeoutMs)
  const caller = new Caller(options.credentials, options.target.url)
  const quantity = options.quantity ?? 1
  let pick: Pick | undefined
  let stockBefore: Stock | undefined
  let stockReserved: Stock | undefined
  let kpiBefore: KpiWindow | undefined
  let order: Order | undefined
  let cancelled = false
  let clock = Date.now()
  const stamp = `${CRITICAL_PATH_PREFIX}${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`

  const where = () => (pick ? `${pick.sku} at ${pick.location}` : 'the product at its location')

  const steps: { name: () => string; run: (scope: CheckScope) => Promise<string | undefined> }[] = []
  const credentials = options.credentials
  if (credentials.kind === 'password')
    steps.push({
      name: () => `sign in as ${credentials.email}`,
      async run({ expect }) {
        // As the sign-in page does: better-auth wants the app's own Origin (PUBLIC_URL) on it.
        const answer = await expect(
          '/api/auth/sign-in/email',
          200,
          caller.change('POST', { email: credentials.email, password: credentials.password }),
        )
        if ((answer.body as { twoFactorRedirect?: boolean } | null)?.twoFactorRedirect)
          fail('the account has two-factor sign-in: use one without it, or an API key')
        caller.cookie = cookieFrom(answer.headers)
        if (!caller.cookie.includes('session_token')) fail('signed in, but no session cookie came back')
        return 'session cookie received'
      },
    })
  steps.push(
    {
      name: () => 'GET /api/me: may create orders',
      async run({ expect }) {
        const me = (await expect('/api/me', 200, caller.read())).body as {
          kind: string
          label: string
          role: string
        }
        if (!MAY_ORDER.has(me.role))
          fail(`${me.label} is a ${me.role}: creating orders needs operator or higher`)
        return `${me.kind} "${me.label}", role ${me.role}`
      },
    },
    {
      name: () => 'find an active product, channel and market with stock',
      async run(scope) {
        pick = await pickProduct(scope, caller.read(), {
          sku: options.sku,
          channel: options.channel,
          quantity,
        })
        return `${pick.sku} via ${pick.channel} (market ${pick.market}, ${pick.currency}) from ${pick.location}: ${pick.available} available`
      },
    },
    {
      name: () => `read the stock of ${where()}`,
      async run(scope) {
        const answer = await scope.call('/health/live')
        clock = serverNow(answer.headers)
        stockBefore = await readStock(scope, caller, pick!)
        return `on hand ${stockBefore.onHand}, reserved ${stockBefore.reserved}, available ${stockBefore.available} (${stockBefore.held.orders} orders hold ${stockBefore.held.quantity})`
      },
    },
    {
      name: () =>
        `read the KPI: orders of ${pick?.channel ?? 'the channel'}, ${hhmm(new Date(floorHour(clock) - HOUR))}–${hhmm(new Date(floorHour(clock) + 2 * HOUR))} UTC`,
      async run(scope) {
        // A fixed window around now: orders placed later than this read cannot leave it.
        kpiBefore = await readKpi(
          scope,
          caller,
          pick!.channel,
          new Date(floorHour(clock) - HOUR),
          new Date(floorHour(clock) + 2 * HOUR),
        )
        return `${kpiBefore.orders} order${kpiBefore.orders === 1 ? '' : 's'}, ${kpiBefore.revenue} ${kpiBefore.currency} (GET /api/kpis/revenue)`
      },
    },
    {
      name: () => 'create an order: POST /api/orders with an Idempotency-Key',
      async run({ expect }) {
        const answer = await expect(
          '/api/orders',
          201,
          caller.change('POST', orderInput(pick!, quantity, stamp), { 'idempotency-key': stamp }),
        ).catch((error: Error) => {
          // Sent but unanswered: the order may exist all the same, and only its external id names it.
          if (error instanceof UnreachableError)
            fail(
              `no answer: ${error.reason}; an order with external id ${stamp} may exist: cancel it by hand`,
            )
          throw error
        })
        order = answer.body as Order
        const line = order.lines[0]
        if (order.status !== 'pending') fail(`order ${order.id} is ${order.status}, expected pending`)
        if (order.lines.length !== 1 || line?.sku !== pick!.sku || line.quantity !== quantity)
          fail(`order ${order.id} has other lines than the ${quantity} × ${pick!.sku} sent`)
        if (order.location !== pick!.location)
          fail(`order ${order.id} ships from ${order.location}, not ${pick!.location}`)
        return `order ${order.id} (${order.externalId}), ${order.total} ${order.currency} = ${order.totalBase} ${kpiBefore!.currency}`
      },
    },
    {
      name: () => 'the same request again answers the same order (idempotent)',
      async run({ expect }) {
        const answer = await expect(
          '/api/orders',
          201,
          caller.change('POST', orderInput(pick!, quantity, stamp), { 'idempotency-key': stamp }),
        )
        const again = answer.body as Order
        if (again.id !== order!.id) fail(`a second order ${again.id} was created`)
        if (answer.headers.get('idempotent-replayed') !== 'true')
          fail('the answer is not marked Idempotent-Replayed')
        return `replayed ${again.id}`
      },
    },
    {
      name: () => 'it is listed: GET /api/orders?status=pending',
      async run({ expect }) {
        const placed = Date.parse(order!.placedAt)
        const path =
          `/api/orders?status=pending&channel=${encodeURIComponent(pick!.channel)}` +
          `&from=${encodeURIComponent(order!.placedAt)}&to=${encodeURIComponent(new Date(placed + 1).toISOString())}&limit=500`
        const { body } = await expect(path, 200, caller.read())
        const items = (body as { items: { id: string }[] }).items
        if (!items.some((o) => o.id === order!.id))
          fail(`order ${order!.id} is not among the ${items.length} listed`)
        return `found ${order!.id} among the pending orders placed at ${order!.placedAt}`
      },
    },
    {
      name: () => 'the KPI counts it',
      async run(scope) {
        const placed = Date.parse(order!.placedAt)
        const before = kpiBefore!
        if (placed < before.from.getTime() || placed >= before.to.getTime())
          fail(
            `the order was placed at ${order!.placedAt}, outside the window read (is the server's clock right?)`,
          )
        const after = await readKpi(scope, caller, pick!.channel, before.from, before.to)
        // Other orders can only add to a fixed window (a cancellation elsewhere aside), so at least ours must show.
        if (after.orders < before.orders + 1)
          fail(`orders ${before.orders} → ${after.orders}: this order is not counted`)
        if (after.revenue < before.revenue + order!.totalBase - 0.005)
          fail(
            `revenue ${before.revenue} → ${after.revenue}: this order's ${order!.totalBase} is not counted`,
          )
        return `orders ${before.orders} → ${after.orders}, revenue ${before.revenue} → ${after.revenue} ${after.currency}`
      },
    },
    {
      name: () => `the stock is reserved for it at ${pick?.location ?? 'its location'}`,
      async run(scope) {
        stockReserved = await readStock(scope, caller, pick!, order!.id)
        const holds = stockReserved.order?.quantity ?? 0
        if (holds !== quantity)
          fail(`the order holds ${holds} of ${pick!.sku} at ${pick!.location}, expected ${quantity}`)
        if (offset(stockReserved) !== offset(stockBefore!))
          fail(
            `the level's reserved (${stockBefore!.reserved} → ${stockReserved.reserved}) did not move with the orders' reservations (${stockBefore!.held.quantity} → ${stockReserved.held.quantity})`,
          )
        return `the order holds ${holds}; reserved ${stockBefore!.reserved} → ${stockReserved.reserved}, available ${stockBefore!.available} → ${stockReserved.available}`
      },
    },
    {
      name: () => 'cancel it: PATCH /api/orders/:id',
      async run({ expect }) {
        const answer = await expect(`/api/orders/${order!.id}`, 200, caller.change('PATCH', cancelBody))
        const status = (answer.body as Order).status
        if (status !== 'cancelled') fail(`order ${order!.id} is ${status} after the change`)
        cancelled = true
        return `order ${order!.id} cancelled`
      },
    },
    {
      name: () => 'the reservation is released',
      async run(scope) {
        const after = await readStock(scope, caller, pick!, order!.id)
        const holds = after.order?.quantity ?? 0
        if (holds !== 0) fail(`the cancelled order still holds ${holds}`)
        if (offset(after) !== offset(stockBefore!))
          fail(
            `the level's reserved (${stockReserved!.reserved} → ${after.reserved}) did not move with the orders' reservations (${stockReserved!.held.quantity} → ${after.held.quantity})`,
          )
        const others = after.available - stockBefore!.available
        return (
          `available ${stockReserved!.available} → ${after.available}` +
          (others === 0
            ? ', back to where it was'
            : ` (${stockBefore!.available} before; other orders moved it by ${others})`)
        )
      },
    },
    {
      name: () => 'its history shows pending → cancelled',
      async run({ expect }) {
        const { body } = await expect(`/api/orders/${order!.id}/history`, 200, caller.read())
        const seen = (body as { items: { to: string }[] }).items.map((e) => e.to)
        if (seen.join(',') !== 'pending,cancelled') fail(`history is ${seen.join(' → ')}`)
        return seen.join(' → ')
      },
    },
  )

  let failedStep: string | undefined
  for (const step of steps) {
    if (failedStep) {
      checks.notRun(step.name(), `not run: "${failedStep}" failed`)
      continue
    }
    const name = step.name()
    if ((await checks.run(name, step.run)).outcome !== 'passed') failedStep = name
  }

  // Clean up whatever happened above: the order ends cancelled, the session is closed.
  if (order && !cancelled) {
    const id = order.id
    await checks.run(`clean up: cancel order ${id}`, async ({ call }) => {
      const answer = await call(`/api/orders/${id}`, caller.change('PATCH', cancelBody))
      if (answer.status !== 200) fail(`HTTP ${answer.status}: order ${id} is left pending, cancel it by hand`)
      return `order ${id} cancelled`
    })
  }
  if (caller.cookie) {
    await checks.run('sign out', async ({ expect }) => {
      await expect('/api/auth/sign-out', 200, caller.change('POST', {}))
      return 'session ended'
    })
  }
  return checks.report('test:critical-path', caller.label)
}

const cancelBody = {
  status: 'cancelled',
  reason: 'critical-path check: cancelled by the check that created it',
}

function orderInput(pick: Pick, quantity: number, externalId: string) {
  return {
    externalId,
    channel: pick.channel,
    location: pick.location,
    lines: [{ sku: pick.sku, quantity }],
  }
}
