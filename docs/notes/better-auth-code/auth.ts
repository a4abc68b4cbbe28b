import { betterAuth, type BetterAuthPlugin } from 'better-auth'
import { APIError, createAuthMiddleware, isAPIError } from 'better-auth/api'
import { twoFactor } from 'better-auth/plugins'
import { hash, verify } from '@node-rs/argon2'
import { type Kysely, sql } from 'kysely'
import { toVersionedSecrets } from './secrets.ts'

export interface AuthOpts {
  db: Kysely<any>
  secrets: string[]
  baseURL?: string
  plugins?: BetterAuthPlugin[]
  extra?: Record<string, any>
  audit?: (event: Record<string, unknown>) => void
}

// Algorithm is an ambient const enum (not importable under verbatimModuleSyntax/isolatedModules): 2 = Argon2id.
// OWASP minimum: m=19 MiB, t=2, p=1.
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const
const MAX_FAILURES = 5

/** Audit + lockout. Registered as the LAST plugin so its after-hook sees the final outcome
 * (after the two-factor plugin has turned a password success into a 2FA challenge). */
function auditAndLockout(db: Kysely<any>, audit: (e: Record<string, unknown>) => void): BetterAuthPlugin {
  const isSignIn = (p?: string) => p === '/sign-in/email'
  const isSecondFactor = (p?: string) => p === '/two-factor/verify-totp' || p === '/two-factor/verify-backup-code'
  return {
    id: 'sentia-audit',
    hooks: {
      before: [{
        matcher: (ctx) => isSignIn(ctx.path),
        handler: createAuthMiddleware(async (ctx) => {
          const email = String(ctx.body?.email ?? '').toLowerCase()
          const { rows } = await sql<{ disabled: boolean; failures: number }>`
            SELECT disabled, failed_sign_ins AS failures FROM users WHERE email = ${email}`.execute(db)
          const u = rows[0]
          if (u?.disabled) throw new APIError('FORBIDDEN', { message: 'This account is disabled.', code: 'ACCOUNT_DISABLED' })
          if (u && u.failures >= MAX_FAILURES) throw new APIError('LOCKED', { message: 'Too many failed sign-ins; account locked.', code: 'ACCOUNT_LOCKED' })
        }),
      }],
      after: [{
        matcher: (ctx) => isSignIn(ctx.path) || isSecondFactor(ctx.path) || !!ctx.path?.startsWith('/callback/'),
        handler: createAuthMiddleware(async (ctx) => {
          const returned = ctx.context.returned as any
          const isError = isAPIError(returned) // not instanceof: redirects use better-call's base APIError class
          const status: number = isError ? returned.statusCode : 200
          // redirects (OAuth callback) are thrown as APIError 302; the target tells success from failure
          const location: string | null = isError ? (new Headers(returned.headers).get('location') ?? ctx.context.responseHeaders?.get('location') ?? null) : null
          const email = typeof ctx.body?.email === 'string' ? ctx.body.email.toLowerCase() : undefined
          // verify-totp also serves enrolment (with a session); it is a sign-in only with the 2FA challenge cookie
          if (isSecondFactor(ctx.path) && !ctx.getCookie(ctx.context.createAuthCookie('two_factor').name)) return
          const s = ctx.context.newSession
          if (s && status < 400) {
            audit({ event: 'sign-in.ok', path: ctx.path, userId: s.user.id })
            await sql`UPDATE users SET failed_sign_ins = 0 WHERE id = ${s.user.id}`.execute(db)
          } else if (returned?.twoFactorRedirect) {
            audit({ event: 'sign-in.2fa-required', path: ctx.path, email })
          } else if (status >= 400 || (location && /[?&]error=/.test(location))) {
            audit({ event: 'sign-in.failed', path: ctx.path, email, status, code: returned?.body?.code, location })
            if (isSignIn(ctx.path) && returned.body?.code === 'INVALID_EMAIL_OR_PASSWORD' && email)
              await sql`UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE email = ${email}`.execute(db)
          }
        }),
      }],
    },
  }
}

export function makeAuth(o: AuthOpts) {
  const audit = o.audit ?? ((e) => console.log('AUDIT', JSON.stringify(e)))
  return betterAuth({
    appName: 'Sentia',
    baseURL: o.baseURL ?? 'http://localhost:3000',
    basePath: '/api/auth',
    secrets: toVersionedSecrets(o.secrets),
    database: { db: o.db, type: 'postgres', transaction: true },
    emailAndPassword: {
      enabled: true,
      password: {
        hash: (password) => hash(password, ARGON2),
        verify: ({ hash: h, password }) => verify(h, password),
      },
    },
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', createdAt: 'created_at', updatedAt: 'updated_at' },
      additionalFields: {
        role: { type: 'string', required: false, defaultValue: 'viewer', input: false },
        disabled: { type: 'boolean', required: false, defaultValue: false, input: false },
      },
    },
    session: {
      modelName: 'sessions',
      fields: { userId: 'user_id', expiresAt: 'expires_at', ipAddress: 'ip_address', userAgent: 'user_agent', createdAt: 'created_at', updatedAt: 'updated_at' },
      expiresIn: 60 * 60 * 8,   // idle timeout: sliding, pushed forward on use...
      updateAge: 60 * 5,        // ...at most once per 5 minutes
      cookieCache: { enabled: false },
    },
    account: {
      modelName: 'accounts',
      fields: {
        accountId: 'account_id', providerId: 'provider_id', userId: 'user_id', accessToken: 'access_token',
        refreshToken: 'refresh_token', idToken: 'id_token', accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at', createdAt: 'created_at', updatedAt: 'updated_at',
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    databaseHooks: {
      session: {
        create: {
          // Every way of signing in (password, OIDC, 2FA completion) creates a session: last gate.
          // Use better-auth's adapter (it joins the running transaction); querying the app's own
          // Kysely here deadlocks on PGlite (pool of 1) and cannot see uncommitted rows on PostgreSQL.
          before: async (session, ctx) => {
            const user = (await ctx?.context.internalAdapter.findUserById(session.userId)) as { disabled?: boolean } | null
            if (user?.disabled) throw new APIError('FORBIDDEN', { message: 'This account is disabled.', code: 'ACCOUNT_DISABLED' })
          },
        },
      },
    },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: {
      ipAddress: { ipAddressHeaders: ['x-client-ip'] },
      useSecureCookies: (o.baseURL ?? 'http://localhost:3000').startsWith('https://'),
    },
    plugins: [
      twoFactor({
        issuer: 'Sentia',
        schema: {
          user: { fields: { twoFactorEnabled: 'two_factor_enabled' } },
          twoFactor: {
            modelName: 'two_factors',
            fields: { backupCodes: 'backup_codes', userId: 'user_id', failedVerificationCount: 'failed_verification_count', lockedUntil: 'locked_until' },
          },
        },
      }),
      ...(o.plugins ?? []),
      auditAndLockout(o.db, audit),
    ],
    ...(o.extra ?? {}),
  })
}
