import type { Clock } from '../../platform/clock.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { SimCatalog, SimulationTarget } from './simulate.ts'
import { MIX_DAYS } from './simulate-local.ts'

/** One request to a running instance's API: status and parsed JSON body. */
export type ApiCall = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown }>

const HOUR = 3_600_000
const DAY = 24 * HOUR

/**
 * The simulator through the HTTP API of a running instance (`sentia simulate --url`), with a
 * manager's API key: the server books everything and publishes the events, so /api/events and the
 * dashboard see it whatever the engine. A refusal becomes an AppError with the API's code.
 */
export function httpTarget(call: ApiCall, clock: Clock): SimulationTarget {
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await call(method, path, body)
    if (response.status < 400) return response.body as T
    const error = (response.body as { error?: { code?: string; message?: string } } | null)?.error
    throw new AppError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      `${method} ${path}: ${error?.message ?? 'no details'}`,
    )
  }
  const batch = (id: string, action: string, body?: unknown) =>
    api('POST', `/api/production/batches/${encodeURIComponent(id)}/${action}`, body)

  return {
    catalog: () => httpCatalog(api, clock),
    async placeOrder(order) {
      await api('POST', '/api/orders', order)
    },
    async storedSessions(hour) {
      const from = hour.toISOString()
      const to = new Date(hour.getTime() + HOUR).toISOString()
      const page = await api<{ items: { channel: string; visits: number }[] }>(
        'GET',
        `/api/storefront-sessions?from=${from}&to=${to}&limit=1000`,
      )
      return new Map(page.items.map((item) => [item.channel, item.visits]))
    },
    async writeSessions(items) {
      await api('PUT', '/api/storefront-sessions', { items })
    },
    async planBatch(input) {
      return (await api<{ id: string }>('POST', '/api/production/batches', input)).id
    },
    async startBatch(id) {
      await batch(id, 'start', {})
    },
    async recordDowntime(id, input) {
      await batch(id, 'downtime', input)
    },
    async completeBatch(id, input) {
      await batch(id, 'complete', input)
    },
    async cancelBatch(id) {
      await batch(id, 'cancel')
    },
  }
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>

/** The catalog from the API, weighted by the last MIX_DAYS of revenue figures. */
async function httpCatalog(api: Api, clock: Clock): Promise<SimCatalog> {
  const to = new Date(clock.ms()).toISOString()
  const from = new Date(clock.ms() - MIX_DAYS * DAY).toISOString()
  const counts = async (by: 'channel' | 'product') => {
    const series = await api<{ points: { key: string; count: number }[] }>(
      'GET',
      `/api/kpis/revenue?interval=day&by=${by}&from=${from}&to=${to}`,
    )
    const totals = new Map<string, number>()
    for (const point of series.points) totals.set(point.key, (totals.get(point.key) ?? 0) + point.count)
    return totals
  }
  const orderCount = await counts('channel')
  const unitCount = await counts('product')
  const channels = await api<{ items: { code: string; kind: string; marketCode: string }[] }>(
    'GET',
    '/api/channels',
  )
  const products: { sku: string; prices: { marketCode: string }[] }[] = []
  let cursor: string | null = null
  do {
    const page: { items: typeof products; nextCursor: string | null } = await api(
      'GET',
      `/api/products?kind=finished&active=true&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    )
    products.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  const sellable = products.filter((p) => p.prices.length > 0)
  const boms = await Promise.all(
    sellable.map((p) => api<{ lines: unknown[] }>('GET', `/api/products/${encodeURIComponent(p.sku)}/bom`)),
  )
  const lines = await api<{ items: { code: string; idealRatePerHour: number }[] }>(
    'GET',
    '/api/production-lines',
  )
  return {
    channels: channels.items.map((c) => ({
      code: c.code,
      kind: c.kind,
      market: c.marketCode,
      weight: orderCount.size === 0 ? 1 : (orderCount.get(c.code) ?? 0),
    })),
    products: sellable.map((p, i) => ({
      sku: p.sku,
      markets: p.prices.map((price) => price.marketCode),
      weight: unitCount.size === 0 ? 1 : (unitCount.get(p.sku) ?? 0),
      hasBom: (boms[i]?.lines.length ?? 0) > 0,
    })),
    lines: lines.items.map((l) => ({ code: l.code, idealRatePerHour: l.idealRatePerHour })),
  }
}
