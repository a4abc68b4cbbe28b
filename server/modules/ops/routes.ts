import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { singleFlight } from '../../platform/cached.ts'
import { Tiles } from './schemas.ts'
import { opsTiles } from './service.ts'

export function opsRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  // Every open /ops page asks every 30 s and on each alert event: callers at once share one read.
  const tiles = singleFlight(() => opsTiles(ctx))

  app.get(
    '/api/ops/tiles',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'The /ops tiles: every catalog metric (system, then business) with its latest value, sparkline, rules with levels and state',
        response: { 200: Tiles },
      },
    },
    () => tiles(),
  )
}
