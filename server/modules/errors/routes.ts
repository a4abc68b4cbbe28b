import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { GroupDetail, GroupParams, GroupsPage, GroupsQuery, ReportBody } from './schemas.ts'
import { captureError, getErrorGroup, listErrorGroups } from './service.ts'

/** Reports accepted from one session, key or address per minute (a render loop must not flood). */
export const REPORTS_PER_MINUTE = 20

/**
 * Error groups for operators (the messages can quote data, such as a value a constraint refused,
 * so viewers do not see them), and the web app's report endpoint for everyone signed in.
 */
export function errorRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/errors',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Error groups, the most recently seen first',
        querystring: GroupsQuery,
        response: { 200: GroupsPage },
      },
    },
    async (request) => {
      const { since, ...query } = request.query
      return listErrorGroups(ctx, { ...query, since: since ? new Date(since) : undefined })
    },
  )

  app.get(
    '/api/errors/:id',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'One error group with its latest stack and occurrences per hour over 7 days',
        params: GroupParams,
        response: { 200: GroupDetail },
      },
    },
    async (request) => getErrorGroup(ctx, request.params.id),
  )

  app.post(
    '/api/errors/report',
    {
      config: { access: 'viewer', rateLimit: { max: REPORTS_PER_MINUTE, timeWindow: 60_000 } },
      schema: {
        summary: 'Report an error from the web app (uncaught error, unhandled rejection, render error)',
        body: ReportBody,
        response: { 202: Type.Object({ accepted: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const { type, message, stack, url, release } = request.body
      await captureError(ctx, {
        type,
        message,
        stack,
        url,
        release,
        source: 'web',
        userId: request.principal?.kind === 'user' ? request.principal.id : undefined,
      })
      return reply.status(202).send({ accepted: true })
    },
  )
}
