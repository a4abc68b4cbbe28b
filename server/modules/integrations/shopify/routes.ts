import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../../context.ts'
import { AppError } from '../../../platform/http/errors.ts'
import {
  FRESHNESS_WINDOW_MS,
  hasValidSignature,
  invalidSignature,
  receiveOrder,
  ShopifyOrder,
  WEBHOOK_BODY_LIMIT,
} from './webhook.ts'

const Headers = Type.Object({
  'x-shopify-hmac-sha256': Type.String({
    description: 'base64 HMAC-SHA256 of the body with SHOPIFY_WEBHOOK_SECRET',
  }),
  'x-shopify-webhook-id': Type.String({
    pattern: '^[A-Za-z0-9._:-]{1,200}$',
    description: 'the delivery id; a repeated one is answered as a duplicate',
  }),
  'x-shopify-triggered-at': Type.Optional(
    Type.String({
      description: `ISO time; refused when more than ${FRESHNESS_WINDOW_MS / 3_600_000} hours from now`,
    }),
  ),
  'x-shopify-shop-domain': Type.Optional(
    Type.String({ description: 'picks the channel (SHOPIFY_SHOP_CHANNELS)' }),
  ),
  'x-shopify-topic': Type.Optional(Type.String({ pattern: '^[a-z_/]{1,100}$' })),
})

const Receipt = Type.Object({
  orderId: Type.Optional(Type.String()),
  duplicate: Type.Optional(Type.Boolean()),
})

/**
 * Shopify's `orders/create` webhook. The HMAC is the credential, so the route is public; the
 * body stays raw bytes until its signature checks out, and only then is parsed as JSON.
 */
export async function shopifyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    const parseJson = scope.getDefaultJsonParser('error', 'error')
    const verify = (request: FastifyRequest, body: Buffer) => {
      const secret = ctx.config.shopify.webhookSecret
      if (!secret) throw notConfigured()
      if (!hasValidSignature(secret, body, request.headers['x-shopify-hmac-sha256'])) throw invalidSignature()
    }
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      try {
        verify(request, body as Buffer)
      } catch (error) {
        return done(error as Error, undefined)
      }
      parseJson(request, (body as Buffer).toString(), done)
    })

    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/integrations/shopify/webhooks/orders',
      {
        config: { access: 'public' },
        bodyLimit: WEBHOOK_BODY_LIMIT,
        schema: {
          summary: "Shopify's order creation webhook (signed with SHOPIFY_WEBHOOK_SECRET)",
          headers: Headers,
          body: ShopifyOrder,
          response: { 200: Receipt },
        },
        // Refuse what cannot be genuine before reading the body.
        preParsing(request, _reply, payload, done) {
          if (!ctx.config.shopify.webhookSecret) return done(notConfigured())
          if (typeof request.headers['x-shopify-hmac-sha256'] !== 'string') return done(invalidSignature())
          done(null, payload)
        },
        // A request without a body never reaches the parser; it must be signed all the same.
        preValidation(request, _reply, done) {
          if (request.body !== undefined) return done()
          try {
            verify(request, Buffer.alloc(0))
            done(new AppError(400, 'MALFORMED_JSON', 'The body is empty'))
          } catch (error) {
            done(error as Error)
          }
        },
      },
      async (request) => {
        const { headers } = request
        return receiveOrder(
          ctx,
          {
            id: headers['x-shopify-webhook-id'],
            topic: headers['x-shopify-topic'] ?? 'orders/create',
            shopDomain: headers['x-shopify-shop-domain'],
            triggeredAt: headers['x-shopify-triggered-at'],
          },
          request.body,
        )
      },
    )
  })
}

const notConfigured = () =>
  new AppError(503, 'NOT_CONFIGURED', 'The Shopify webhook is not configured (SHOPIFY_WEBHOOK_SECRET)')
