import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { AppError } from './errors.ts'

/**
 * Security headers for every answer (a Content-Security-Policy that fits a same-origin
 * single-page app) and rate limits: one budget per API key, session or anonymous address,
 * shared through Redis when configured. A route can set its own limit (`config.rateLimit`) or
 * opt out (`config.rateLimit: false`, health checks). If Redis fails, requests are let through.
 */
export async function installHardening(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Served over plain HTTP in development; HSTS only matters (and is only honoured) over HTTPS.
    hsts: ctx.config.env === 'production',
  })

  await app.register(rateLimit, {
    global: true,
    max: ctx.config.rateLimit.perMinute,
    timeWindow: 60_000,
    keyGenerator: rateLimitKey,
    skipOnError: true,
    nameSpace: 'sentia:ratelimit:',
    ...(ctx.redis ? { redis: ctx.redis } : {}),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        429,
        'RATE_LIMITED',
        `Too many requests: the limit is ${context.max} per minute. Try again in ${context.after}.`,
      ),
  })
}

/** Who a rate limit counts against: the authenticated principal, else the client address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`
}
