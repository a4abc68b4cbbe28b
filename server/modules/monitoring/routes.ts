import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { Catalog, Series, SeriesQuery } from './schemas.ts'
import { metricCatalog, readSeries } from './service.ts'

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
}
