import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

/**
 * The OpenAPI document is generated from the same route schemas that validate and serialize,
 * served at /docs/json with a browsable UI at /docs.
 */
export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    // Only routes with an access declaration are documented; the docs UI's own assets are not API.
    hideUntagged: false,
    openapi: {
      info: { title: 'Sentia Manufacturing Dashboard API', version },
      components: {},
    },
  })
  await app.register(async (scope) => {
    // The docs pages are public like the API description they show.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: 'public' }
      route.schema = { ...route.schema, hide: true }
    })
    await scope.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true },
      staticCSP: true,
    })
  })
}
