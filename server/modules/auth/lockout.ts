import type { BetterAuthPlugin } from 'better-auth'
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api'
import type { AppContext } from '../../context.ts'
import { recordAudit } from '../audit/service.ts'
import { noteFailedLogin } from '../security/failed-logins.ts'

/**
 * Sign-in outcomes: audit (`login`, `login_failed`), per-account lockout after too many failures
 * within a window (with the unlock time in the error), refusal of disabled accounts, and the
 * address-level failed-sign-in count behind automatic IP blocks. Listed last among the plugins
 * so its after-hook sees the final outcome.
 */
const PLAUSIBLE_EMAIL = /^[^\s@\p{Cc}]{1,200}@[^\s@\p{Cc}]{1,200}$/u

export function signInOutcomes(ctx: AppContext): BetterAuthPlugin {
  const { maxFailures, lockMinutes } = ctx.config.auth
  const facts = (request: Request | undefined) => ({
    ip: request?.headers.get('x-client-ip') ?? null,
    userAgent: request?.headers.get('user-agent')?.slice(0, 500) ?? null,
    requestId: request?.headers.get('x-request-id') ?? null,
  })
  return {
    id: 'sentia-sign-in-outcomes',
    hooks: {
      before: [
        {
          matcher: (hook) => hook.path === '/sign-in/email',
          handler: createAuthMiddleware(async (hook) => {
            const email = String(hook.body?.email ?? '').toLowerCase()
            // Not an address at all: better-auth refuses it with 400; nothing to look up.
            if (!PLAUSIBLE_EMAIL.test(email)) return
            const user = await ctx.db
              .selectFrom('users')
              .select(['id', 'disabled', 'locked_until'])
              .where('email', '=', email)
              .executeTakeFirst()
            if (!user) return
            const request = facts(hook.request)
            if (user.disabled) {
              await recordAudit(ctx.db, {
                actor: { type: 'user', id: user.id },
                action: 'login_failed',
                request,
                newValues: { reason: 'disabled' },
              })
              throw new APIError('FORBIDDEN', {
                message: 'This account is disabled.',
                code: 'ACCOUNT_DISABLED',
              })
            }
            if (user.locked_until && new Date(user.locked_until).getTime() > ctx.clock.ms()) {
              const until = new Date(user.locked_until).toISOString()
              await recordAudit(ctx.db, {
                actor: { type: 'user', id: user.id },
                action: 'login_failed',
                request,
                newValues: { reason: 'locked', until },
              })
              throw new APIError('LOCKED', {
                message: `Too many failed sign-ins: this account is locked until ${until}.`,
                code: 'ACCOUNT_LOCKED',
              })
            }
          }),
        },
      ],
      after: [
        {
          matcher: (hook) => hook.path === '/change-password',
          handler: createAuthMiddleware(async (hook) => {
            const userId = hook.context.session?.user.id
            if (!userId || isAPIError(hook.context.returned)) return
            await recordAudit(ctx.db, {
              actor: { type: 'user', id: userId },
              action: 'password_change',
              target: { type: 'user', id: userId },
              request: facts(hook.request),
              newValues: { by: 'self' },
            })
          }),
        },
        {
          // The second step of a two-factor sign-in (the challenge cookie marks it; the same
          // endpoint also confirms enrolment for someone already signed in).
          matcher: (hook) =>
            hook.path === '/two-factor/verify-totp' || hook.path === '/two-factor/verify-backup-code',
          handler: createAuthMiddleware(async (hook) => {
            if (!hook.getCookie(hook.context.createAuthCookie('two_factor').name)) return
            const request = facts(hook.request)
            const session = hook.context.newSession
            if (session && !isAPIError(hook.context.returned)) {
              const secondFactor = hook.path.endsWith('totp') ? 'totp' : 'backup code'
              return signedIn(ctx, session.user.id, request, { secondFactor })
            }
            await noteFailedLogin(ctx, {
              ip: request.ip,
              subject: 'second factor',
              route: `/api/auth${hook.path}`,
              method: 'POST',
            })
          }),
        },
        {
          // OpenID Connect: the provider's redirect back. Success and refusal are both redirects.
          matcher: (hook) => hook.path?.startsWith('/callback/') ?? false,
          handler: createAuthMiddleware(async (hook) => {
            const returned = hook.context.returned as
              | { headers?: ConstructorParameters<typeof Headers>[0] }
              | undefined
            const location = isAPIError(returned) ? new Headers(returned.headers).get('location') : null
            const request = facts(hook.request)
            const session = hook.context.newSession
            if (session && !/[?&]error=/.test(location ?? ''))
              return signedIn(ctx, session.user.id, request, { via: hook.path })
            await noteFailedLogin(ctx, {
              ip: request.ip,
              subject: 'single sign-on',
              route: `/api/auth${hook.path}`,
              method: 'GET',
            })
          }),
        },
        {
          matcher: (hook) => hook.path === '/sign-in/email',
          handler: createAuthMiddleware(async (hook) => {
            const returned = hook.context.returned as
              | { statusCode?: number; body?: { code?: string } }
              | undefined
            const request = facts(hook.request)
            const session = hook.context.newSession
            if (session && !isAPIError(returned)) return signedIn(ctx, session.user.id, request)
            if (!isAPIError(returned) || returned.body?.code !== 'INVALID_EMAIL_OR_PASSWORD') return
            const email = String(hook.body?.email ?? '').toLowerCase()
            if (!PLAUSIBLE_EMAIL.test(email)) return
            await noteFailedLogin(ctx, {
              ip: request.ip,
              subject: email,
              route: '/api/auth/sign-in/email',
              method: 'POST',
              requestId: request.requestId ?? undefined,
              userAgent: request.userAgent ?? undefined,
            })
            await countFailure(ctx, email, maxFailures, lockMinutes, request)
          }),
        },
      ],
    },
  }
}

type Facts = { ip: string | null; userAgent: string | null; requestId: string | null }

/** A completed sign-in: the failure count starts again and the audit log records it. */
async function signedIn(
  ctx: AppContext,
  userId: string,
  request: Facts,
  details?: Record<string, unknown>,
): Promise<void> {
  await ctx.db
    .updateTable('users')
    .set({ failed_sign_ins: 0, first_failed_at: null, locked_until: null })
    .where('id', '=', userId)
    .execute()
  await recordAudit(ctx.db, {
    actor: { type: 'user', id: userId },
    action: 'login',
    request,
    newValues: details,
  })
}

async function countFailure(
  ctx: AppContext,
  email: string,
  maxFailures: number,
  lockMinutes: number,
  request: Facts,
): Promise<void> {
  const now = ctx.clock.ms()
  const windowStart = new Date(now - lockMinutes * 60_000)
  await ctx.db.transaction().execute(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['id', 'failed_sign_ins', 'first_failed_at'])
      .where('email', '=', email)
      .forUpdate()
      .executeTakeFirst()
    if (!user) return
    const inWindow = user.first_failed_at && new Date(user.first_failed_at) > windowStart
    const failures = inWindow ? user.failed_sign_ins + 1 : 1
    const locked = failures >= maxFailures ? new Date(now + lockMinutes * 60_000) : null
    await tx
      .updateTable('users')
      .set({
        failed_sign_ins: locked ? 0 : failures,
        first_failed_at: locked ? null : inWindow ? user.first_failed_at : new Date(now),
        ...(locked ? { locked_until: locked } : {}),
      })
      .where('id', '=', user.id)
      .execute()
    await recordAudit(tx, {
      actor: { type: 'user', id: user.id },
      action: 'login_failed',
      request,
      newValues: { failures, ...(locked ? { lockedUntil: locked.toISOString() } : {}) },
    })
  })
}
