import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { listOpenItems } from './open-items.ts'
import { listRates, writeRates } from './rates.ts'
import {
  FxRatePage,
  FxRateQuery,
  FxRatesInput,
  FxRatesWritten,
  OpenItemPage,
  OpenItemQuery,
  WorkingCapital,
  WorkingCapitalQuery,
  WorkingCapitalTrend,
  WorkingCapitalTrendQuery,
} from './schemas.ts'
import { workingCapitalReport, workingCapitalTrend } from './service.ts'

/**
 * Exchange rates to the base currency (pounds sterling), by currency and day; working capital
 * (now and over time) and the receivables and payables behind it.
 */
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

  app.get(
    '/api/finance/working-capital',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'DIO, DSO, DPO and the cash conversion cycle (null when a denominator is zero)',
        querystring: WorkingCapitalQuery,
        response: { 200: WorkingCapital },
      },
    },
    (request) => workingCapitalReport(ctx, request.query.days),
  )

  app.get(
    '/api/finance/working-capital/trend',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'The working-capital report over windows of `days` ending every `step` days, the last one now (oldest first)',
        querystring: WorkingCapitalTrendQuery,
        response: { 200: WorkingCapitalTrend },
      },
    },
    (request) => workingCapitalTrend(ctx, request.query),
  )

  for (const kind of ['receivables', 'payables'] as const)
    app.get(
      `/api/finance/${kind}`,
      {
        config: { access: 'viewer' },
        schema: {
          summary: `${kind === 'receivables' ? 'Receivables (customers, channel payouts)' : 'Payables (suppliers)'} by due day, with the open and overdue totals; cursor-paged`,
          querystring: OpenItemQuery,
          response: { 200: OpenItemPage },
        },
      },
      (request) => listOpenItems(ctx, kind, request.query),
    )
}
