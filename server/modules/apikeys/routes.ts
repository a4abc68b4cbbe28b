import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import {
  ApiKey,
  ApiKeyList,
  CreateBody,
  IdParams,
  IssuedKey,
  ListQuery,
  RotateBody,
  RotatedKey,
} from './schemas.ts'
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from './service.ts'

export function apiKeyRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'List API keys (never the keys themselves)',
        querystring: ListQuery,
        response: { 200: ApiKeyList },
      },
    },
    async (request) => ({
      items: await listApiKeys(ctx, { includeInactive: request.query.includeInactive }),
    }),
  )

  app.post(
    '/api/api-keys',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create an API key; the key is in this response only',
        body: CreateBody,
        response: { 201: IssuedKey },
      },
    },
    async (request, reply) => {
      const issued = await createApiKey(ctx, request.body, actorOf(request.principal), requestFacts(request))
      return reply.status(201).send(issued)
    },
  )

  app.post(
    '/api/api-keys/:id/rotate',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Issue a replacement key; the old one keeps working for the overlap period',
        params: IdParams,
        body: RotateBody,
        response: { 201: RotatedKey },
      },
    },
    async (request, reply) => {
      const rotated = await rotateApiKey(ctx, request.params.id, actorOf(request.principal), {
        overlapHours: request.body?.overlapHours,
        request: requestFacts(request),
      })
      return reply.status(201).send(rotated)
    },
  )

  app.delete(
    '/api/api-keys/:id',
    {
      config: { access: 'admin' },
      schema: { summary: 'Revoke an API key at once', params: IdParams, response: { 200: ApiKey } },
    },
    (request) => revokeApiKey(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )
}
