import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { SessionPage, SessionQuery, SessionsInput, SessionsWritten } from './schemas.ts'
import { listSessions, writeSessions } from './service.ts'

/** Storefront sessions (visits per channel per UTC hour), the denominator of conversion. */
export function trafficRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.put(
    '/api/storefront-sessions',
    {
      config: { access: 'manager' },
      schema: {
        summary:
          'Set visits per channel and UTC hour (up to 1,000 at once; a count sent again replaces the stored one)',
        body: SessionsInput,
        response: { 200: SessionsWritten },
      },
    },
    (request) => writeSessions(ctx, request.body),
  )

  app.get(
    '/api/storefront-sessions',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Visits per channel and hour, latest first; filter by channel and time; cursor-paged',
        querystring: SessionQuery,
        response: { 200: SessionPage },
      },
    },
    (request) => listSessions(ctx, request.query),
  )
}
