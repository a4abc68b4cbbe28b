import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { AppError } from './errors.ts'

/**
 * Security headers for every answer (a Content-Security-Policy that fits a same-origin
 * single-page app; the set helmet sends, computed once — @fastify/helmet 13 rebuilds its
 * middleware and re-parses the policy on every request, which cost about 15% of a cheap
 * request's CPU in bench/http.ts) and rate limits: one budget per API key, session or anonymous address,
 * shared through Redis when configured. A route can set its own limit (`config.rateLimit`) or
 * opt out (`config.rateLimit: false`, health checks). If Redis fails, requests are let through.
 */
export async function installHardening(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const headers = securityHeaders(ctx.config.env === 'production')
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers)
    done()
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

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** helmet's default set with the app's CSP; HSTS only in production (it only matters over HTTPS). */
export function securityHeaders(production: boolean): Record<string, string> {
  return {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  }
}
