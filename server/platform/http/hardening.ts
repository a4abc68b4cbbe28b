import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { AppError } from './errors.ts'

/**
 * Response headers and rate limits.
 *
 * Every answer carries its request id and security headers computed once (@fastify/helmet 13
 * rebuilds its middleware and re-parses the policy on every request, which cost about 15% of a
 * cheap request's CPU in bench/http.ts). API paths (`/api/`, `/health`, `/metrics`) get the
 * OWASP REST set (`apiHeaders`); every other path may serve an HTML document (the web app, the
 * API docs) and gets helmet's document set with a CSP for a same-origin single-page app
 * (`documentHeaders`). The document-only headers mean nothing on JSON, and each one costs
 * validation and bytes on every request.
 *
 * Rate limits: one budget per API key, session or anonymous address, shared through Redis when
 * configured. A route can set its own limit (`config.rateLimit`) or opt out
 * (`config.rateLimit: false`, health checks). If Redis fails, requests are let through.
 */
export function installResponseHeaders(app: FastifyInstance, production: boolean): void {
  const api = apiHeaders(production)
  const document = documentHeaders(production)
  // The first hook of all, so that every answer has them, a refusal by a later hook included.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    reply.headers(isApiPath(request.url) ? api : document)
    done()
  })
}

export async function installRateLimits(app: FastifyInstance, ctx: AppContext): Promise<void> {
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

export function isApiPath(url: string): boolean {
  return url.startsWith('/api/') || url.startsWith('/health') || url.startsWith('/metrics')
}

/** Who a rate limit counts against: the authenticated principal, else the client address. */
export function rateLimitKey(request: FastifyRequest): string {
  return request.principal ? `${request.principal.kind}:${request.principal.id}` : `ip:${request.ip}`
}

const DOCUMENT_POLICY = [
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

/** OWASP's REST set: nothing may load, frame or sniff an API answer. HSTS only in production (HTTPS). */
export function apiHeaders(production: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  }
}

/** helmet's default set for HTML documents, with the app's CSP (replaces the API policy). */
export function documentHeaders(production: boolean): Record<string, string> {
  return {
    ...apiHeaders(production),
    'content-security-policy': DOCUMENT_POLICY,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  }
}
