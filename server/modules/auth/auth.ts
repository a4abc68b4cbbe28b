import { hash, verify } from '@node-rs/argon2'
import { betterAuth } from 'better-auth'
import { APIError } from 'better-auth/api'
import { genericOAuth, twoFactor } from 'better-auth/plugins'
import type { Kysely } from 'kysely'
import type { AppContext } from '../../context.ts'
import { signInOutcomes } from './lockout.ts'
import { sessionSecrets, versionedSecrets } from './secrets.ts'

/** The provider id of OpenID Connect sign-in; its callback is /api/auth/callback/oidc. */
export const OIDC_PROVIDER_ID = 'oidc'

// OWASP minimum for argon2id (algorithm 2): 19 MiB, 2 iterations, 1 lane.
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export const hashPassword = (password: string) => hash(password, ARGON2)

/**
 * better-auth on the app's own Kysely and tables (names mapped to the snake_case schema of
 * migration 0005): email + password with argon2id, database sessions in cookies with an idle
 * timeout (each use extends them) and an absolute limit, TOTP two-factor, no public sign-up
 * (accounts are created by admins), its own rate limiter off (the app's applies).
 */
export function createAuth(ctx: AppContext) {
  const { auth: settings, publicUrl } = ctx.config
  const idleSeconds = settings.sessionIdleMinutes * 60
  return betterAuth({
    appName: 'Sentia',
    baseURL: publicUrl,
    basePath: '/api/auth',
    secrets: versionedSecrets(sessionSecrets(ctx.config)),
    // biome-ignore lint/suspicious/noExplicitAny: better-auth takes an untyped Kysely
    database: { db: ctx.db as Kysely<any>, type: 'postgres', transaction: true },
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: 12,
      password: { hash: hashPassword, verify: ({ hash: stored, password }) => verify(stored, password) },
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
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      expiresIn: idleSeconds,
      updateAge: Math.min(300, idleSeconds),
      cookieCache: { enabled: false },
    },
    account: {
      modelName: 'accounts',
      fields: {
        accountId: 'account_id',
        providerId: 'provider_id',
        userId: 'user_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    databaseHooks: {
      session: {
        create: {
          // Every way of signing in creates a session: the last gate for disabled accounts.
          // (Use better-auth's adapter here: it joins the running transaction.)
          before: async (session, hook) => {
            const user = (await hook?.context.internalAdapter.findUserById(session.userId)) as {
              disabled?: boolean
            } | null
            if (user?.disabled)
              throw new APIError('FORBIDDEN', {
                message: 'This account is disabled.',
                code: 'ACCOUNT_DISABLED',
              })
          },
        },
        update: {
          // The sliding refresh stops once a session is older than SESSION_MAX_HOURS.
          before: async (_data, hook) => {
            const created = hook?.context.session?.session.createdAt
            if (
              created &&
              ctx.clock.ms() - new Date(created).getTime() > settings.sessionMaxHours * 3_600_000
            )
              return false
          },
        },
      },
    },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    // better-auth's own messages go to the app's log, never to the console.
    logger: {
      log: (level, message, ...args) => {
        const target =
          level === 'debug' ? 'debug' : level === 'info' ? 'info' : level === 'warn' ? 'warn' : 'error'
        ctx.logger[target](
          { component: 'better-auth', details: args.length > 0 ? args.map(String) : undefined },
          message,
        )
      },
    },
    advanced: {
      ipAddress: { ipAddressHeaders: ['x-client-ip'] },
      useSecureCookies: publicUrl.startsWith('https://'),
    },
    plugins: [
      twoFactor({
        issuer: 'Sentia',
        schema: {
          user: { fields: { twoFactorEnabled: 'two_factor_enabled' } },
          twoFactor: {
            modelName: 'two_factors',
            fields: {
              backupCodes: 'backup_codes',
              userId: 'user_id',
              failedVerificationCount: 'failed_verification_count',
              lockedUntil: 'locked_until',
            },
          },
        },
      }),
      ...(settings.oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: OIDC_PROVIDER_ID,
                  discoveryUrl: `${settings.oidc.issuer}/.well-known/openid-configuration`,
                  clientId: settings.oidc.clientId,
                  clientSecret: settings.oidc.clientSecret,
                  tokenEndpointAuth: { method: 'client_secret_basic' },
                  scopes: ['openid', 'email', 'profile'],
                  requireIdTokenVerification: true,
                },
              ],
            }),
          ]
        : []),
      signInOutcomes(ctx),
    ],
  })
}

export type Auth = ReturnType<typeof createAuth>

const instances = new WeakMap<AppContext, Auth>()

export function authOf(ctx: AppContext): Auth {
  const existing = instances.get(ctx)
  if (existing) return existing
  const auth = createAuth(ctx)
  instances.set(ctx, auth)
  return auth
}
