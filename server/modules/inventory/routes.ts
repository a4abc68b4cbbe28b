import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { idempotent } from '../../platform/http/idempotency.ts'
import { actorLabel, actorOf } from '../../platform/http/principal.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import { expiringLots } from './expiring.ts'
import { listLevels } from './levels.ts'
import { listMovements, postMovement } from './movements.ts'
import { criticalItems, reorderSuggestions } from './planning.ts'
import { reservationsAt } from './reservations.ts'
import {
  CriticalList,
  CriticalQuery,
  ExpiringList,
  ExpiringQuery,
  LevelPage,
  LevelQuery,
  MovementInput,
  MovementPage,
  MovementQuery,
  MovementResult,
  ReorderList,
  ReorderQuery,
  ReservationQuery,
  Reservations,
} from './schemas.ts'

/** Stock levels and the reservations behind them, the movement ledger, critical items and reorder suggestions. */
export function inventoryRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/inventory/levels',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Stock per SKU × location (on hand, reserved, available), by SKU then location; cursor-paged',
        querystring: LevelQuery,
        response: { 200: LevelPage },
      },
    },
    (request) => listLevels(ctx, request.query),
  )

  app.get(
    '/api/inventory/reservations',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'One SKU × location: its level and the orders’ reservations behind the reserved figure (with `order`, that order’s share), read together',
        querystring: ReservationQuery,
        response: { 200: Reservations },
      },
    },
    (request) => reservationsAt(ctx, request.query),
  )

  app.get(
    '/api/inventory/critical',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'SKU × location pairs below safety stock or running out within their lead time',
        querystring: CriticalQuery,
        response: { 200: CriticalList },
      },
    },
    async (request) => ({
      windowDays: request.query.windowDays,
      items: await criticalItems(ctx, request.query),
    }),
  )

  app.get(
    '/api/inventory/expiring',
    {
      config: { access: 'viewer' },
      schema: {
        summary:
          'Lots with stock left whose expiry is within `days` (or past), per SKU × location × lot, soonest first',
        querystring: ExpiringQuery,
        response: { 200: ExpiringList },
      },
    },
    (request) => expiringLots(ctx, request.query),
  )

  app.get(
    '/api/inventory/reorder-suggestions',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Units to order or produce per SKU × location, with every input of the calculation',
        querystring: ReorderQuery,
        response: { 200: ReorderList },
      },
    },
    async (request) => ({
      horizonDays: request.query.horizonDays,
      windowDays: request.query.windowDays,
      items: await reorderSuggestions(ctx, request.query),
    }),
  )

  app.get(
    '/api/stock-movements',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Ledger movements, newest first; filter by SKU, location, kind and time; cursor-paged',
        querystring: MovementQuery,
        response: { 200: MovementPage },
      },
    },
    (request) => listMovements(ctx, request.query),
  )

  app.post(
    '/api/stock-movements',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Record a receipt, adjustment, transfer, consumption, production output or return (send an Idempotency-Key header to make retries safe)',
        body: MovementInput,
        response: { 201: MovementResult },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key']
      const result = await idempotent(
        ctx,
        'stock-movements',
        Array.isArray(key) ? key[0] : key,
        request.body,
        async (tx) => ({
          status: 201,
          body: await postMovement(ctx, tx, request.body, actorLabel(actorOf(request.principal))),
        }),
      )
      const body = result.body as MovementResult
      if (result.replayed) reply.header('idempotent-replayed', 'true')
      else
        await publishBusinessEvent(ctx, 'stock.changed', {
          kind: request.body.kind,
          sku: request.body.sku,
          levels: body.levels,
        })
      return reply.status(201).send(body)
    },
  )
}
