import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify'
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

const BODIES = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * Security checks on every request, before authentication. A blocked address gets 403 before
 * anything else is done for it, and attack patterns in the URL are recorded (refused with
 * SECURITY_BLOCK_ATTACKS): both in `screenRequest`, a step of the app's one `onRequest` hook.
 * Bodies are scanned the same way once parsed, by a route-level hook on the routes of methods
 * that carry one. 401 and 403 answers are recorded by `recordRefusal`, a step of the app's one
 * `onResponse` hook. Each has a synchronous fast path: most requests come from an address that
 * is not blocked, carry nothing suspicious and are answered without 401/403.
 */
export function installSecurityHooks(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('securityEvent', null)
  const scanBody: preValidationHookHandler = (request, _reply, done) => {
    const found = detectInBody(request.body)
    if (!found) return done()
    inspect(ctx, request, found).then(() => done(), done)
  }
  app.addHook('onRoute', (route) => {
    if (![route.method].flat().some((method) => BODIES.has(method))) return
    route.preValidation = [scanBody, ...[route.preValidation ?? []].flat()]
  })
}

export function screenRequest(ctx: AppContext, request: FastifyRequest): Promise<void> | undefined {
  const found = detectInUrl(request.url)
  if (!found && blocklistOf(ctx).empty) return undefined
  return checkRequest(ctx, request, found)
}

export function recordRefusal(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> | undefined {
  const status = reply.statusCode
  if (request.securityEvent || (status !== 401 && status !== 403)) return undefined
  return record(ctx, request, status === 401 ? 'unauthorized' : 'forbidden')
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
