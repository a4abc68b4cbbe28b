import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { LogLevel } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { blockIp, listIpBlocks, unblockIp } from './blocklist.ts'
import { countSecurityEvents, listSecurityEvents } from './events.ts'
import { currentLogLevel, setLogLevel } from './log-level.ts'
import {
  BlockBody,
  BlocksQuery,
  EventsPage,
  EventsQuery,
  IpBlock,
  LogLevelBody,
  LogLevelState,
  UnblockParams,
} from './schemas.ts'

export function securityRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/security/events',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Security events, newest first, with counts per kind over 24 h',
        querystring: EventsQuery,
        response: { 200: EventsPage },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query
      const page = await listSecurityEvents(ctx, filter, { limit, cursor })
      return { ...page, countsLast24h: await countSecurityEvents(ctx, new Date(ctx.clock.ms() - 86_400_000)) }
    },
  )

  app.get(
    '/api/security/ip-blocks',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Blocked addresses and ranges',
        querystring: BlocksQuery,
        response: { 200: Type.Object({ items: Type.Array(IpBlock) }) },
      },
    },
    async (request) => ({
      items: await listIpBlocks(ctx, { includeInactive: request.query.includeInactive }),
    }),
  )

  app.post(
    '/api/security/ip-blocks',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Block an address or CIDR range, optionally until a time',
        body: BlockBody,
        response: { 201: IpBlock },
      },
    },
    async (request, reply) => {
      const { cidr, reason, until } = request.body
      const block = await blockIp(
        ctx,
        { cidr, reason, until: until ? new Date(until) : undefined },
        actorOf(request.principal),
        requestFacts(request),
      )
      return reply.status(201).send(block)
    },
  )

  app.delete(
    '/api/security/ip-blocks/:id',
    {
      config: { access: 'admin' },
      schema: { summary: 'Lift a block', params: UnblockParams, response: { 200: IpBlock } },
    },
    async (request) =>
      (await unblockIp(ctx, request.params.id, actorOf(request.principal), requestFacts(request)))[0]!,
  )

  app.get(
    '/api/admin/log-level',
    {
      config: { access: 'admin' },
      schema: { summary: 'Current and configured log level', response: { 200: LogLevelState } },
    },
    async () => currentLogLevel(ctx),
  )

  app.put(
    '/api/admin/log-level',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change the log level on every replica, optionally for a number of minutes',
        body: LogLevelBody,
        response: { 200: LogLevelState },
      },
    },
    (request) =>
      setLogLevel(
        ctx,
        { level: request.body.level as LogLevel, expiresInMinutes: request.body.expiresInMinutes },
        actorOf(request.principal),
        requestFacts(request),
      ),
  )
}
