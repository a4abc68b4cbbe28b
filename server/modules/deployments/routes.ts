import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { checkDeployments } from './check.ts'
import {
  CheckReport,
  Deployment,
  DeploymentsPage,
  IdParams,
  ListQuery,
  RecordBody,
  StatusBody,
} from './schemas.ts'
import { getDeployment, listDeployments, recordDeployment, updateDeployment } from './service.ts'

const dateOf = (value: string | undefined) => (value === undefined ? undefined : new Date(value))

/**
 * Deployments: everyone signed in reads them; CI and operators record them (an `operator` API
 * key is enough: recording a release changes no one's access and no business data).
 */
export function deploymentsRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/deployments',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Deployments and rollbacks, newest first, with their regression check',
        querystring: ListQuery,
        response: { 200: DeploymentsPage },
      },
    },
    (request) =>
      listDeployments(ctx, {
        environment: request.query.environment,
        since: dateOf(request.query.since),
        limit: request.query.limit,
        cursor: request.query.cursor,
      }),
  )

  app.get(
    '/api/deployments/:id',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'One deployment with the figures its regression check compared',
        params: IdParams,
        response: { 200: Deployment },
      },
    },
    (request) => getDeployment(ctx, request.params.id),
  )

  app.post(
    '/api/deployments',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Record a deploy or rollback (CI). 201 when recorded; 200 when it completes the record of the same release (e.g. made by a replica starting it)',
        body: RecordBody,
        response: { 200: Deployment, 201: Deployment },
      },
    },
    async (request, reply) => {
      const { startedAt, finishedAt, ...rest } = request.body
      const { deployment, created } = await recordDeployment(
        ctx,
        { ...rest, startedAt: dateOf(startedAt), finishedAt: dateOf(finishedAt) },
        actorOf(request.principal),
        { source: 'api', request: requestFacts(request) },
      )
      return reply.status(created ? 201 : 200).send(deployment)
    },
  )

  app.patch(
    '/api/deployments/:id',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Mark how a deployment ended (started → succeeded or failed) or change its notes',
        params: IdParams,
        body: StatusBody,
        response: { 200: Deployment },
      },
    },
    (request) =>
      updateDeployment(
        ctx,
        request.params.id,
        { ...request.body, finishedAt: dateOf(request.body.finishedAt) },
        actorOf(request.principal),
        requestFacts(request),
      ),
  )

  app.post(
    '/api/deployments/check',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Check now every deployment whose after-window has passed (each once across replicas)',
        response: { 200: CheckReport },
      },
    },
    () => checkDeployments(ctx),
  )
}
