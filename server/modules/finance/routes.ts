import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { listRates, writeRates } from './rates.ts'
import { FxRatePage, FxRateQuery, FxRatesInput, FxRatesWritten } from './schemas.ts'

/** Exchange rates to the base currency (pounds sterling), by currency and day. */
export function financeRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.put(
    '/api/fx-rates',
    {
      config: { access: 'manager' },
      schema: {
        summary:
          'Set exchange rates: pounds per one unit of the currency, per day (up to 1,000 at once; a rate sent again replaces the stored one)',
        body: FxRatesInput,
        response: { 200: FxRatesWritten },
      },
    },
    (request) => writeRates(ctx, request.body),
  )

  app.get(
    '/api/fx-rates',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Stored exchange rates, latest day first; filter by currency and days; cursor-paged',
        querystring: FxRateQuery,
        response: { 200: FxRatePage },
      },
    },
    (request) => listRates(ctx, request.query),
  )
}
