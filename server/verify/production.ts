import type { HealthReport } from '../modules/health/service.ts'
import { CheckRunner, fail, type VerifyReport } from './checks.ts'
import type { Target } from './target.ts'

export interface ProductionOptions {
  target: Target
  /** A viewer (or higher) API key for the authenticated reads; without one they fail. */
  apiKey?: string
  timeoutMs: number
}

interface Read {
  path: string
  /** What the answer shows, or a failure when it is not the expected shape. */
  describe(body: unknown): string
}

const itemsOf = (body: unknown, path: string): unknown[] => {
  const items = (body as { items?: unknown } | null)?.items
  return Array.isArray(items) ? items : fail(`${path} answered without an items list`)
}

/** The main reads of the API: who am I, orders, the KPI overview, alerts, metrics. */
export const AUTHENTICATED_READS: Read[] = [
  {
    path: '/api/me',
    describe(body) {
      const me = body as { kind?: string; role?: string; label?: string } | null
      if (!me?.role) fail('/api/me answered without a role')
      return `${me!.kind} "${me!.label}", role ${me!.role}`
    },
  },
  {
    path: '/api/orders?limit=1',
    describe(body) {
      const [newest] = itemsOf(body, '/api/orders') as { id: string; placedAt: string }[]
      return newest ? `newest order ${newest.id} placed ${newest.placedAt}` : 'no orders yet'
    },
  },
  {
    path: '/api/kpis/overview',
    describe(body) {
      const overview = body as {
        currency?: string
        revenue?: { today?: { orders: number; revenue: number } }
      }
      const today = overview?.revenue?.today ?? fail('/api/kpis/overview answered without revenue.today')
      return `today ${today.orders} orders, ${today.revenue} ${overview.currency}`
    },
  },
  {
    path: '/api/alerts?state=active&limit=200',
    describe(body) {
      const alerts = itemsOf(body, '/api/alerts') as { state: string }[]
      const firing = alerts.filter((a) => a.state === 'firing').length
      return `${firing} firing, ${alerts.length - firing} pending`
    },
  },
  {
    path: '/api/metrics',
    describe(body) {
      const window = (
        body as { requests?: Record<string, { requestsPerSecond: number; errorRate: number | null }> }
      )?.requests?.['5m']
      if (!window) fail('/api/metrics answered without requests["5m"]')
      const errors = window!.errorRate === null ? '-' : `${Math.round(window!.errorRate * 10000) / 100}%`
      return `5 min: ${window!.requestsPerSecond} requests/s, errors ${errors}`
    },
  },
]

/**
 * The smoke check after a production deploy: health (every component ok), readiness, the main
 * reads with an API key, and every one of them refused without credentials (deny by default).
 */
export async function verifyProduction(options: ProductionOptions): Promise<VerifyReport> {
  const checks = new CheckRunner(options.target, options.timeoutMs)

  const health = await checks.run('GET /health: every component ok', async ({ call }) => {
    const answer = await call('/health')
    const health = answer.body as HealthReport | null
    if (!health?.components) fail(`HTTP ${answer.status} without a health report`)
    const components = Object.entries(health!.components)
      .map(([name, c]) => `${name} ${c.status}${c.message && c.status !== 'ok' ? ` (${c.message})` : ''}`)
      .join(', ')
    if (answer.status !== 200 || health!.status !== 'ok')
      fail(`HTTP ${answer.status}, status ${health!.status}: ${components}`)
    return `${health!.version} (${health!.commit.slice(0, 12)}) ${health!.environment}: ${components}`
  })

  // Nothing answered at all: the other checks would only wait for the same timeout again.
  const unreachable = health.outcome === 'failed' && health.status === null
  const check = async (name: string, body: Parameters<CheckRunner['run']>[1]) => {
    if (unreachable) checks.notRun(name, 'not run: the instance did not answer')
    else await checks.run(name, body)
  }

  await check('GET /health/ready', async ({ call }) => {
    const answer = await call('/health/ready')
    const body = answer.body as { status?: string; message?: string } | null
    if (answer.status !== 200) fail(`HTTP ${answer.status}: ${body?.message ?? body?.status ?? 'not ready'}`)
    return body?.status
  })

  for (const read of AUTHENTICATED_READS) {
    const name = `GET ${read.path} with the API key`
    const apiKey = options.apiKey
    if (!apiKey && !unreachable)
      checks.failed(name, 'no API key: set SENTIA_API_KEY or pass --api-key (a viewer key is enough)')
    else
      await check(name, async ({ expect }) => read.describe((await expect(read.path, 200, { apiKey })).body))
  }

  for (const read of AUTHENTICATED_READS) {
    await check(`GET ${read.path} without credentials is refused`, async ({ call }) => {
      const answer = await call(read.path)
      if (answer.status !== 401) fail(`expected HTTP 401, got ${answer.status}: the route is not protected`)
      return undefined
    })
  }

  return checks.report('verify:production', options.apiKey ? 'an API key' : undefined)
}
