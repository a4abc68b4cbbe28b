import type { FastifyInstance, FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify'
import type { AppContext } from '../../context.ts'
import { scheduleOf } from './cache.ts'

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Read-only mode: while a read-only maintenance occurrence is in progress, a change (POST, PUT,
 * PATCH, DELETE) by a signed-in user or API key below admin answers 503 `maintenance_read_only`
 * with `Retry-After` (seconds until the window ends). Admins are exempt, and so are public routes
 * (sign-in and sign-out under /api/auth, health, Shopify's webhook, whose sender gives up after
 * four hours of failures), which have no principal.
 *
 * A route-level `preParsing` hook on the routes of those methods: it runs after the routes'
 * access check (a route-level `onRequest` hook), so the principal and its role are known, and
 * before the body is read. The windows come from memory; other routes do not have the hook.
 */
export function installMaintenanceHooks(app: FastifyInstance, ctx: AppContext): void {
  const hook: preParsingHookHandler = (request, reply, payload, done) => {
    const principal = request.principal
    if (!principal || principal.role === 'admin' || request.url.startsWith('/api/auth/'))
      return done(null, payload)
    const schedule = scheduleOf(ctx)
    const check = () => {
      const until = schedule.readOnlyUntil(ctx.clock.ms())
      if (until === null) return done(null, payload)
      refuse(ctx, request, reply, until)
    }
    if (schedule.fresh) return check()
    schedule.ensureFresh().then(check, (error: Error) => done(error))
  }
  // Only on routes that change something, so reads (and health checks) pay nothing for it.
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat()
    if (!methods.some((method) => CHANGES.has(method))) return
    route.preParsing = [...[route.preParsing ?? []].flat(), hook]
  })
}

/**
 * Answered here rather than thrown: a refusal is expected behaviour, not a failure for the
 * error handler to log and report as a 5xx.
 */
function refuse(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, until: Date): void {
  const seconds = Math.max(1, Math.ceil((until.getTime() - ctx.clock.ms()) / 1000))
  reply
    .status(503)
    .header('retry-after', String(seconds))
    .type('application/json; charset=utf-8')
    .send({
      error: {
        code: 'maintenance_read_only',
        message: `Maintenance in progress: changes are paused until ${until.toISOString()} (read-only mode)`,
        requestId: request.id,
      },
    })
}
