import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { blocklistOf } from './blocklist.ts'
import { type Detection, detectInBody, detectInUrl } from './detection.ts'
import { eventFromRequest, recordSecurityEvent } from './events.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** Set once a security event has been recorded for this request, so it is not recorded twice. */
    securityEvent: string | null
  }
}

/**
 * App-wide request hooks, registered before authentication: a blocked address gets 403 before
 * anything else is done for it; attack patterns in the URL (and, once parsed, the body) are
 * recorded and, with SECURITY_BLOCK_ATTACKS, refused; 401 and 403 answers are recorded.
 */
export function installSecurityHooks(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('securityEvent', null)

  // Callback-style hooks with a synchronous fast path: most requests come from an address that
  // is not blocked, carry nothing suspicious and are answered without 401/403.
  app.addHook('onRequest', (request, _reply, done) => {
    const found = detectInUrl(request.url)
    if (!found && blocklistOf(ctx).empty) return done()
    checkRequest(ctx, request, found).then(() => done(), done)
  })

  app.addHook('preValidation', (request, _reply, done) => {
    const found = detectInBody(request.body)
    if (!found) return done()
    inspect(ctx, request, found).then(() => done(), done)
  })

  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode
    if (request.securityEvent || (status !== 401 && status !== 403)) return done()
    record(ctx, request, status === 401 ? 'unauthorized' : 'forbidden').then(() => done(), done)
  })
}

async function checkRequest(
  ctx: AppContext,
  request: FastifyRequest,
  found: Detection | null,
): Promise<void> {
  const block = await blocklistOf(ctx).match(request.ip)
  if (block) {
    await record(ctx, request, 'blocked', { pattern: block.cidr })
    throw new AppError(403, 'IP_BLOCKED', 'Requests from your address are blocked')
  }
  await inspect(ctx, request, found)
}

async function inspect(ctx: AppContext, request: FastifyRequest, found: Detection | null): Promise<void> {
  if (!found) return
  await record(ctx, request, found.kind, {
    pattern: `${found.location}: ${found.pattern}`,
    sample: found.sample,
  })
  if (ctx.config.security.blockAttacks) {
    throw new AppError(
      400,
      'ATTACK_PATTERN',
      `The request was refused: it looks like ${found.kind.replace('_', ' ')}`,
    )
  }
}

async function record(
  ctx: AppContext,
  request: FastifyRequest,
  kind: Parameters<typeof eventFromRequest>[1],
  extra: { pattern?: string; sample?: string } = {},
): Promise<void> {
  request.securityEvent = kind
  try {
    await recordSecurityEvent(ctx, { ...eventFromRequest(request, kind), ...extra })
  } catch (error) {
    ctx.logger.error({ err: error, security_event: kind }, 'could not store security event')
  }
}
