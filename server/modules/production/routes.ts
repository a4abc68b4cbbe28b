import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, preValidationHookHandler } from 'fastify'
import type { AppContext } from '../../context.ts'
import { badRequest } from '../../platform/http/errors.ts'
import { actorLabel, actorOf } from '../../platform/http/principal.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { downtimeReasons } from './downtime.ts'
import { getBatch, listBatches } from './query.ts'
import { oeeReport } from './report.ts'
import {
  Batch,
  BatchPage,
  BatchQuery,
  CompleteInput,
  Completion,
  DowntimeInput,
  DowntimeQuery,
  DowntimeReport,
  IdParams,
  OeeQuery,
  OeeReport,
  PlanInput,
  StartInput,
} from './schemas.ts'
import { cancelBatch, completeBatch, planBatch, recordDowntime, startBatch } from './service.ts'

/** Actions whose body is all optional may be sent without one. */
const bodyOptional: preValidationHookHandler = (request, _reply, done) => {
  request.body ??= {}
  done()
}

const DAY = 86_400_000
/** At most this much history per OEE or downtime request. */
const MAX_SPAN_DAYS = 366

/** A report's [from, to): to defaults to now, from to 7 days before to; at most MAX_SPAN_DAYS. */
function windowOf(query: { from?: string; to?: string }, now: Date): { from: Date; to: Date } {
  const to = query.to ? new Date(query.to) : now
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY)
  if (!(to > from)) throw badRequest('to must be after from')
  if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * DAY)
    throw badRequest(`At most ${MAX_SPAN_DAYS} days per request`)
  return { from, to }
}

/** Production batches: plans (managers), what happened on the line (operators), and OEE. */
export function productionRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const changed = (batch: { id: string; line: string; sku: string; status: string }, data = {}) =>
    publishBusinessEvent(ctx, 'production.changed', {
      id: batch.id,
      line: batch.line,
      sku: batch.sku,
      status: batch.status,
      ...data,
    })

  app.get(
    '/api/production/batches',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Batches, latest planned start first, with downtime and OEE (once completed); filter by line, SKU, status and planned start; cursor-paged',
        querystring: BatchQuery,
        response: { 200: BatchPage },
      },
    },
    (request) => listBatches(ctx, request.query),
  )

  app.get(
    '/api/production/batches/:id',
    {
      config: { access: 'viewer' },
      schema: { summary: 'One batch', params: IdParams, response: { 200: Batch } },
    },
    (request) => getBatch(ctx.db, request.params.id),
  )

  app.post(
    '/api/production/batches',
    {
      config: { access: 'manager' },
      schema: {
        summary:
          'Plan a batch of a finished product on a line (location defaults to the only factory, lot to L<yyyymmdd>-<line>)',
        body: PlanInput,
        response: { 201: Batch },
      },
    },
    async (request, reply) => {
      const id = await ctx.db.transaction().execute((tx) => planBatch(tx, request.body))
      const batch = await getBatch(ctx.db, id)
      await changed(batch)
      return reply.status(201).send(batch)
    },
  )

  app.post(
    '/api/production/batches/:id/start',
    {
      config: { access: 'operator' },
      preValidation: bodyOptional,
      schema: {
        summary: 'Start a planned batch (409 LINE_BUSY while another batch runs on its line)',
        params: IdParams,
        body: StartInput,
        response: { 200: Batch },
      },
    },
    async (request) => {
      const { id } = request.params
      await ctx.db.transaction().execute((tx) => startBatch(ctx, tx, id, request.body))
      const batch = await getBatch(ctx.db, id)
      await changed(batch, { from: 'planned' })
      return batch
    },
  )

  app.post(
    '/api/production/batches/:id/downtime',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Record a stop of a running batch',
        params: IdParams,
        body: DowntimeInput,
        response: { 201: Batch },
      },
    },
    async (request, reply) => {
      const { id } = request.params
      await ctx.db.transaction().execute((tx) => recordDowntime(ctx, tx, id, request.body))
      const batch = await getBatch(ctx.db, id)
      await changed(batch, { downtimeMinutes: batch.downtimeMinutes })
      return reply.status(201).send(batch)
    },
  )

  app.post(
    '/api/production/batches/:id/complete',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Complete a running batch: consume its components, book its good units with the lot, store the counts (409 INSUFFICIENT_STOCK writes nothing)',
        params: IdParams,
        body: CompleteInput,
        response: { 200: Completion },
      },
    },
    async (request) => {
      const { id } = request.params
      const completion = await ctx.db
        .transaction()
        .execute((tx) => completeBatch(ctx, tx, id, request.body, actorLabel(actorOf(request.principal))))
      await changed(completion.batch, { from: 'running' })
      await publishBusinessEvent(ctx, 'stock.changed', {
        kind: 'production',
        batchId: id,
        levels: completion.levels,
      })
      return completion
    },
  )

  app.post(
    '/api/production/batches/:id/cancel',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Cancel a planned or running batch (nothing is consumed or made)',
        params: IdParams,
        response: { 200: Batch },
      },
    },
    async (request) => {
      const { id } = request.params
      const { from } = await ctx.db.transaction().execute((tx) => cancelBatch(ctx, tx, id))
      const batch = await getBatch(ctx.db, id)
      await changed(batch, { from })
      return batch
    },
  )

  app.get(
    '/api/production/oee',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'OEE of the plant and (by=line) of each line over the completed batches that ended in [from, to), rolled up from times and counts',
        querystring: OeeQuery,
        response: { 200: OeeReport },
      },
    },
    (request) => {
      const { from, to } = windowOf(request.query, ctx.clock.now())
      return oeeReport(ctx, { from, to, by: request.query.by })
    },
  )

  app.get(
    '/api/production/downtime',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Downtime minutes and stops per reason (and per line) of the stops that started in [from, to), most minutes first',
        querystring: DowntimeQuery,
        response: { 200: DowntimeReport },
      },
    },
    (request) => {
      const { from, to } = windowOf(request.query, ctx.clock.now())
      return downtimeReasons(ctx, { from, to, line: request.query.line })
    },
  )
}
