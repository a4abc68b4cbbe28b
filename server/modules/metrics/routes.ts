import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { DatabaseMetrics, MemoryDetail, MetricsSummary, SlowQueries, SlowQueriesQuery } from './schemas.ts'
import { databaseMetrics, memoryDetail, metricsSummary, slowQueries } from './service.ts'

export function metricsRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/metrics',
    {
      config: { access: 'metrics-scraper', rateLimit: false },
      schema: {
        summary: 'Prometheus exposition (METRICS_TOKEN bearer, or loopback only)',
        produces: ['text/plain'],
      },
    },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics()
      return reply.type(ctx.metrics.registry.contentType).send(body)
    },
  )

  app.get(
    '/api/metrics',
    {
      config: { access: 'viewer' },
      schema: { summary: 'Request, error, latency and system figures', response: { 200: MetricsSummary } },
    },
    () => metricsSummary(ctx),
  )

  app.get(
    '/api/metrics/memory',
    {
      config: { access: 'viewer' },
      schema: { summary: 'Heap, RSS, external memory and GC', response: { 200: MemoryDetail } },
    },
    () => memoryDetail(ctx),
  )

  app.get(
    '/api/metrics/db',
    {
      config: { access: 'viewer' },
      schema: { summary: 'Pool usage and server connections by state', response: { 200: DatabaseMetrics } },
    },
    () => databaseMetrics(ctx),
  )

  app.get(
    '/api/metrics/slow-queries',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Slowest statements by mean time: app timing and pg_stat_statements',
        querystring: SlowQueriesQuery,
        response: { 200: SlowQueries },
      },
    },
    (request) => slowQueries(ctx, request.query.limit),
  )
}
