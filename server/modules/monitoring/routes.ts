import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { Catalog, Series, SeriesQuery, Uptime } from './schemas.ts'
import { metricCatalog, readSeries, uptimePercent } from './service.ts'

const HOUR_MS = 3_600_000

export function monitoringRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/metrics/series',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'A stored metric over time: one point per step, buckets without data omitted',
        querystring: SeriesQuery,
        response: { 200: Series },
      },
    },
    (request) => {
      const { name, from, to, step } = request.query
      const end = to ? new Date(to) : ctx.clock.now()
      const start = from ? new Date(from) : new Date(end.getTime() - HOUR_MS)
      return readSeries(ctx, { name, from: start, to: end, stepSeconds: step })
    },
  )

  app.get(
    '/api/metrics/catalog',
    {
      config: { access: 'viewer' },
      schema: { summary: 'Every metric /api/metrics/series serves', response: { 200: Catalog } },
    },
    () => ({ items: metricCatalog }),
  )

  app.get(
    '/api/metrics/uptime',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Uptime over the last 24 hours, 7 and 30 days: time not sampled by any replica counts as down',
        response: { 200: Uptime },
      },
    },
    async () => {
      const to = ctx.clock.now()
      const windows = [
        ['24h', 1],
        ['7d', 7],
        ['30d', 30],
      ] as const
      return {
        items: await Promise.all(
          windows.map(async ([window, days]) => {
            const from = new Date(to.getTime() - days * 24 * HOUR_MS)
            const percent = await uptimePercent(ctx, { from, to })
            return { window, from: from.toISOString(), to: to.toISOString(), percent }
          }),
        ),
      }
    },
  )
}
