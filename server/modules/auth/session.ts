import { isAPIError } from 'better-auth/api'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { isRole } from '../../platform/http/access.ts'
import { forbidden } from '../../platform/http/errors.ts'
import type { Principal } from '../../platform/http/principal.ts'
import { getSettings } from '../settings/service.ts'
import { authOf } from './auth.ts'
import { resignCookieHeader, sessionSecrets } from './secrets.ts'

/** The Fetch headers better-auth sees: the client's, with old-secret cookies re-signed and the client address. */
export function authHeaders(ctx: AppContext, request: FastifyRequest): Headers {
  const headers = new Headers()
  for (const [key, value] of Object.entries(request.headers)) {
    if (value === undefined || key === 'content-length' || key === 'x-client-ip') continue
    if (Array.isArray(value)) for (const v of value) headers.append(key, v)
    else headers.set(key, value)
  }
  const cookie = resignCookieHeader(request.headers.cookie, sessionSecrets(ctx.config))
  if (cookie) headers.set('cookie', cookie)
  headers.set('x-client-ip', request.ip)
  headers.set('x-request-id', request.id)
  return headers
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * The principal of a request signed in with a session cookie. A state-changing request made
 * with a cookie must come from the app's own origin (CSRF protection): browsers send Origin on
 * such requests, and another site cannot forge it.
 */
export async function sessionPrincipal(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Principal | null> {
  if (!request.headers.cookie?.includes('session_token')) return null
  let result: Awaited<ReturnType<ReturnType<typeof authOf>['api']['getSession']>> = null
  try {
    const { headers, response } = await authOf(ctx).api.getSession({
      headers: authHeaders(ctx, request),
      returnHeaders: true,
    })
    const cookies = headers?.getSetCookie() ?? []
    if (cookies.length > 0) reply.header('set-cookie', cookies)
    result = response
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 401) return null
    throw error
  }
  if (!result) return null
  const user = result.user as typeof result.user & {
    role?: string
    disabled?: boolean
    twoFactorEnabled?: boolean
  }
  if (user.disabled || !isRole(user.role)) return null
  const needsTwoFactor =
    user.role === 'admin' && !user.twoFactorEnabled && (await getSettings(ctx)).requireTwoFactorForAdmins
  if (UNSAFE.has(request.method) && !sameOrigin(ctx, request)) {
    throw forbidden('Cross-site request refused: send it from the app, or use an API key')
  }
  if (needsTwoFactor) {
    return {
      kind: 'user',
      id: user.id,
      role: 'viewer',
      label: user.email,
      sessionId: result.session.id,
      restriction: 'Admins must turn on two-factor sign-in to act as admins',
    }
  }
  return { kind: 'user', id: user.id, role: user.role, label: user.email, sessionId: result.session.id }
}

function sameOrigin(ctx: AppContext, request: FastifyRequest): boolean {
  const origin = request.headers.origin ?? refererOrigin(request.headers.referer)
  if (!origin) return false
  const host = request.headers.host
  return (
    origin === ctx.config.publicUrl ||
    (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
  )
}

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined
  try {
    return new URL(referer).origin
  } catch {
    return undefined
  }
}
