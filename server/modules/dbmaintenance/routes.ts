import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { Report, ReportQuery } from './schemas.ts'
import { maintenanceReport } from './service.ts'

/** Database maintenance for admins: the jobs' recent runs and the bloat report with advice. */
export function dbMaintenanceRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/ops/database/maintenance',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Database maintenance: the latest runs of each maintenance job (duration, outcome, what it did) and table and index bloat with VACUUM/ANALYZE/REINDEX advice',
        querystring: ReportQuery,
        response: { 200: Report },
      },
    },
    (request) => maintenanceReport(ctx, request.query.perJob),
  )
}
