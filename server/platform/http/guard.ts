import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { type Access, ROLES, type UserRole } from './access.ts'
import { forbidden, unauthorized } from './errors.ts'
import type { PrincipalResolver } from './principal.ts'

export interface GuardOptions {
  resolvers: PrincipalResolver[]
  /** Bearer token for `metrics-scraper` routes; without it they are served to loopback only. */
  metricsToken: string | undefined
}

const rank = (role: UserRole) => ROLES.indexOf(role)

/**
 * Enforces each route's declared access before the body is read: public routes pass,
 * `metrics-scraper` needs the metrics token (or a loopback peer when none is set), and role
 * routes need a principal whose role is at least the declared one (401 without, 403 below).
 */
export function installGuard(app: FastifyInstance, options: GuardOptions): void {
  app.decorateRequest('principal', null)
  // A route-level hook, put first, so public routes (health checks) pay nothing for it. The
  // declaration is read per request because a scope's own onRoute hook may set it later (docs).
  app.addHook('onRoute', (route) => {
    if (route.config?.access === 'public') return
    const guard: onRequestHookHandler = (request, reply, done) => {
      const access = route.config?.access as Access | undefined
      if (access === undefined || access === 'public') return done()
      authorize(request, reply, access, options).then(() => done(), done)
    }
    route.onRequest = [guard, ...[route.onRequest ?? []].flat()]
  })
}

async function authorize(
  request: FastifyRequest,
  reply: FastifyReply,
  access: Exclude<Access, 'public'>,
  options: GuardOptions,
) {
  if (access === 'metrics-scraper') return checkScraper(request, options.metricsToken)
  const principal = await resolvePrincipal(request, reply, options.resolvers)
  if (!principal) throw unauthorized()
  request.principal = principal
  if (rank(principal.role) < rank(access)) throw forbidden(`This needs the ${access} role or higher`)
}

export async function resolvePrincipal(
  request: FastifyRequest,
  reply: FastifyReply,
  resolvers: PrincipalResolver[],
) {
  for (const resolve of resolvers) {
    const principal = await resolve(request, reply)
    if (principal) return principal
  }
  return null
}

function checkScraper(request: FastifyRequest, token: string | undefined): void {
  if (token) {
    if (request.headers.authorization !== `Bearer ${token}`)
      throw unauthorized('A valid metrics token is required')
    return
  }
  if (!isLoopback(request.socket.remoteAddress)) {
    throw forbidden('Metrics are served to loopback only unless METRICS_TOKEN is set')
  }
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}
