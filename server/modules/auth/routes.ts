import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { unauthorized } from '../../platform/http/errors.ts'
import { rateLimitKey } from '../../platform/http/hardening.ts'
import { recordAudit } from '../audit/service.ts'
import { authOf, OIDC_PROVIDER_ID } from './auth.ts'
import { authHeaders, sessionPrincipal } from './session.ts'

const isSignIn = (request: FastifyRequest) => request.url.startsWith('/api/auth/sign-in')

/**
 * better-auth's endpoints under /api/auth (sign-in at POST /api/auth/sign-in/email, sign-out,
 * session, two-factor). Bodies are passed through as raw bytes, so better-auth parses JSON and
 * form posts itself; its Set-Cookie headers are forwarded one by one.
 */
export async function authRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) =>
      done(null, body),
    )
    scope.route({
      method: ['GET', 'POST'],
      url: '/api/auth/*',
      config: {
        access: 'public',
        rateLimit: {
          max: (request) =>
            isSignIn(request) ? ctx.config.rateLimit.signInPerMinute : ctx.config.rateLimit.perMinute,
          keyGenerator: (request) => (isSignIn(request) ? `sign-in:${request.ip}` : rateLimitKey(request)),
        },
      },
      schema: { summary: 'Sign-in, sign-out, session and two-factor endpoints (better-auth)', hide: true },
      async handler(request, reply) {
        const signingOut = request.url.startsWith('/api/auth/sign-out')
        const before = signingOut ? await sessionPrincipal(ctx, request, reply).catch(() => null) : null
        const hasBody = request.method === 'POST' && Buffer.isBuffer(request.body)
        const response = await authOf(ctx).handler(
          new Request(new URL(request.url, ctx.config.publicUrl), {
            method: request.method,
            headers: authHeaders(ctx, request),
            body: hasBody ? (request.body as Buffer) : undefined,
          }),
        )
        if (signingOut && before && response.ok) {
          await recordAudit(ctx.db, {
            actor: { type: 'user', id: before.id },
            action: 'logout',
            request: {
              ip: request.ip,
              userAgent: request.headers['user-agent'] ?? null,
              requestId: request.id,
            },
          })
        }
        reply.status(response.status)
        for (const [key, value] of response.headers)
          if (key !== 'set-cookie' && key !== 'content-length') reply.header(key, value)
        const cookies = response.headers.getSetCookie()
        if (cookies.length > 0) reply.header('set-cookie', cookies)
        const body = Buffer.from(await response.arrayBuffer())
        // Every refusal in the app's shape, also better-auth's bodiless ones (404 for an unknown
        // endpoint or method).
        if (response.status >= 400)
          return reply.type('application/json; charset=utf-8').send(errorShape(body, response.status))
        return reply.send(body.length > 0 ? body : null)
      },
    })
  })

  app.get(
    '/api/auth-config',
    {
      config: { access: 'public' },
      schema: {
        summary: 'How people can sign in (for the sign-in page)',
        response: {
          200: Type.Object({
            password: Type.Boolean(),
            oidc: Type.Object({
              enabled: Type.Boolean(),
              name: Type.Optional(Type.String()),
              providerId: Type.Optional(Type.String()),
            }),
          }),
        },
      },
    },
    async () => {
      const oidc = ctx.config.auth.oidc
      return {
        password: true,
        oidc: oidc ? { enabled: true, name: oidc.name, providerId: OIDC_PROVIDER_ID } : { enabled: false },
      }
    },
  )

  app.get(
    '/api/me',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Who is signed in',
        response: {
          200: Type.Object({
            kind: Type.String(),
            id: Type.String(),
            role: Type.String(),
            label: Type.String(),
            restriction: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async (request) => {
      if (!request.principal) throw unauthorized()
      const { kind, id, role, label } = request.principal
      const restriction = request.principal.kind === 'user' ? request.principal.restriction : undefined
      return { kind, id, role, label, ...(restriction ? { restriction } : {}) }
    },
  )
}

const STATUS_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  429: 'RATE_LIMITED',
}

/**
 * better-auth answers errors as `{code, message}`, or with no body at all; the app's shape is
 * `{error: {code, message}}`.
 */
function errorShape(body: Buffer, status: number) {
  let parsed: { code?: unknown; message?: unknown } | null = null
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    // not JSON after all: fall back to the status alone
  }
  return {
    error: {
      code:
        typeof parsed?.code === 'string' && parsed.code
          ? parsed.code
          : (STATUS_CODES[status] ?? 'BAD_REQUEST'),
      message: typeof parsed?.message === 'string' ? parsed.message : 'Request failed',
    },
  }
}
