import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { retryOnConflict } from '../../platform/db/retry.ts'
import { idempotentWrite } from '../../platform/http/idempotency.ts'
import { actorOf } from '../../platform/http/principal.ts'
import { publishBusinessEvent } from './events.ts'
import { orderHistory } from './history.ts'
import { acceptOrder } from './intake.ts'
import { listOrders } from './query.ts'
import { IdParams, ListQuery, Order, OrderHistory, OrderInput, OrderList, StatusBody } from './schemas.ts'
import { changeStatus, getOrder, type OrderView } from './service.ts'

export function orderRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/orders',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Orders, newest first; filter by status, channel, market and time; cursor-paged',
        querystring: ListQuery,
        response: { 200: OrderList },
      },
    },
    (request) => listOrders(ctx, request.query),
  )

  app.get(
    '/api/orders/:id',
    {
      config: { access: 'viewer' },
      schema: { summary: 'One order with its lines', params: IdParams, response: { 200: Order } },
    },
    (request) => getOrder(ctx, request.params.id),
  )

  app.get(
    '/api/orders/:id/history',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'An order’s status history, oldest first: placed (from the order), then each change with who made it',
        params: IdParams,
        response: { 200: OrderHistory },
      },
    },
    (request) => orderHistory(ctx, request.params.id),
  )

  app.post(
    '/api/orders',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Book an order (send an Idempotency-Key header to make retries safe)',
        body: OrderInput,
        response: { 201: Order },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key']
      // The order and the key with its answer are written in one statement; a retry gets that answer.
      const result = await idempotentWrite(
        ctx,
        'orders',
        Array.isArray(key) ? key[0] : key,
        request.body,
        async (remember) => {
          const order = await acceptOrder(ctx, request.body, (order) =>
            remember({ status: 201, body: order }),
          )
          return { status: 201, body: order }
        },
      )
      const order = result.body as OrderView
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      else
        await publishBusinessEvent(ctx, 'order.created', {
          id: order.id,
          status: order.status,
          totalBase: order.totalBase,
        })
      return reply.status(201).send(order)
    },
  )

  app.patch(
    '/api/orders/:id',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Move an order on: paid, fulfilled (ships its stock), cancelled or refunded (release it)',
        params: IdParams,
        body: StatusBody,
        response: { 200: Order },
      },
    },
    async (request) => {
      const { id } = request.params
      const { from } = await retryOnConflict(() =>
        ctx.db
          .transaction()
          .execute((tx) =>
            changeStatus(ctx, tx, id, request.body.status, actorOf(request.principal), request.body.reason),
          ),
      )
      if (from !== request.body.status)
        await publishBusinessEvent(ctx, 'order.status', { id, from, to: request.body.status })
      return getOrder(ctx, id)
    },
  )
}
