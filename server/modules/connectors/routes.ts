import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, preValidationHookHandler } from 'fastify'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { BreakerInput, ConnectorList, ConnectorStatus, NameParams, SyncInput, SyncQueued } from './schemas.ts'
import { getConnector, listConnectors, queueSync, setBreaker } from './service.ts'

/** A sync may be asked for without a body. */
const bodyOptional: preValidationHookHandler = (request, _reply, done) => {
  request.body ??= {}
  done()
}

/**
 * Connector status for managers (it names missing variables and carries error text), syncs on
 * demand for managers, and the breaker switch for admins.
 */
export function connectorRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/connectors',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Every connector: configured or not, breaker, last run, cursor, schedule',
        response: { 200: ConnectorList },
      },
    },
    async () => ({ items: await listConnectors(ctx) }),
  )

  app.get(
    '/api/connectors/:name',
    {
      config: { access: 'manager' },
      schema: { summary: 'One connector', params: NameParams, response: { 200: ConnectorStatus } },
    },
    (request) => getConnector(ctx, request.params.name),
  )

  app.post(
    '/api/connectors/:name/sync',
    {
      config: { access: 'manager' },
      preValidation: bodyOptional,
      schema: {
        summary:
          'Queue a sync now (409 NOT_CONFIGURED, BREAKER_FORCED_OPEN or SYNC_QUEUED); its outcome appears in the status',
        params: NameParams,
        body: SyncInput,
        response: { 202: SyncQueued },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await queueSync(ctx, request.params.name, request.body.since)),
  )

  app.post(
    '/api/connectors/:name/breaker',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Force a connector's circuit breaker open on every replica, or close it (audited)",
        params: NameParams,
        body: BreakerInput,
        response: { 200: ConnectorStatus },
      },
    },
    (request) =>
      setBreaker(
        ctx,
        request.params.name,
        request.body.state,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )
}
