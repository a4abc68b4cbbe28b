import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { AppContext } from '../../server/context.ts'
import { authOf } from '../../server/modules/auth/auth.ts'
import type { RequestHints } from './requests.ts'
import type { JsonSchema } from './schema-arbitrary.ts'

/**
 * What the route schemas cannot tell the fuzzer, kept small and explicit: the paths behind the
 * wildcard routes, the body better-auth reads itself, and the routes with side effects that
 * need care (`SIDE_EFFECTS`).
 */

/** Paths worth trying behind each wildcard route (besides random ones), read from the app and its packages. */
export function wildcardPaths(ctx: AppContext, webDir: string): Record<string, string[]> {
  const swaggerUi = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@fastify/swagger-ui')),
    'static',
  )
  const authPaths = Object.values(authOf(ctx).api as Record<string, { path?: unknown }>)
    .map((endpoint) => endpoint.path)
    .filter((p): p is string => typeof p === 'string' && !p.includes(':'))
    .map((p) => p.replace(/^\//, ''))
  return {
    '/api/auth/*': [...new Set(authPaths)],
    '/docs/static/*': readdirSync(swaggerUi),
    '/assets/*': readdirSync(path.join(webDir, 'assets')),
    '/*': ['', 'orders/123', 'favicon.ico', 'index.html', 'ops/alerts/1', 'api/nope', 'healthz', 'assets'],
  }
}

/** better-auth's endpoints read their own JSON: the fields they take. */
const AUTH_FIELDS = [
  'email',
  'password',
  'currentPassword',
  'newPassword',
  'code',
  'provider',
  'providerId',
  'callbackURL',
  'token',
  'name',
  'image',
  'sessionToken',
  'backupCode',
]

export function authBody(email: string, password: string): JsonSchema {
  const text = { type: 'string', maxLength: 200 }
  return {
    type: 'object',
    properties: {
      ...Object.fromEntries(AUTH_FIELDS.map((field) => [field, text])),
      // The disposable account's own credentials now and then, so sign-in and the password and
      // two-factor endpoints get past their first check.
      email: { anyOf: [text, { const: email }] },
      password: { anyOf: [text, { const: password }] },
      currentPassword: { anyOf: [text, { const: password }] },
      rememberMe: { type: 'boolean' },
      revokeOtherSessions: { type: 'boolean' },
      trustDevice: { type: 'boolean' },
    },
  }
}

export type SideEffect =
  /** Valid bodies would set off heavy work: every case's body is one the schema refuses. */
  | { policy: 'refused-bodies'; why: string }
  /** After a case that succeeded, the state the fuzzer relies on is put back. */
  | { policy: 'restore'; why: string; restore: 'ip-blocks' | 'settings' | 'log-level' | 'maintenance' }
  /** Cases sign in as a disposable account, recreated when a case spent its session. */
  | { policy: 'disposable-session'; why: string }

/**
 * Routes whose side effects would stop the run or lock the fuzzer out. They are still fuzzed
 * with the same number of cases. Deleting or rotating the fuzzer's own keys and changing its own
 * user cannot happen: ids that earlier answers returned are reused as path parameters, except
 * the fuzzer's own (`Harness.protectedIds`).
 */
export const SIDE_EFFECTS: Readonly<Record<string, SideEffect>> = {
  'POST /api/backups': {
    policy: 'refused-bodies',
    why: 'takes a full backup (pg_dump or a data-dir archive) of the database: seconds of work per case',
  },
  'POST /api/backups/drills': {
    policy: 'refused-bodies',
    why: 'restores the newest backup into a scratch database and checks it',
  },
  'POST /api/security/ip-blocks': {
    policy: 'restore',
    restore: 'ip-blocks',
    why: 'a valid range can cover 127.0.0.1, the address of every injected request',
  },
  'PUT /api/admin/settings': {
    policy: 'restore',
    restore: 'settings',
    why: 'requireTwoFactorForAdmins turns the fuzzer’s admin session (no two-factor) into a viewer',
  },
  'PUT /api/admin/log-level': {
    policy: 'restore',
    restore: 'log-level',
    why: 'trace or debug on a discarded log costs every later request its formatting',
  },
  'POST /api/maintenance/windows': {
    policy: 'restore',
    restore: 'maintenance',
    why: 'a read-only window in progress answers 503 to every change below admin (the viewer key)',
  },
  'PATCH /api/maintenance/windows/:id': {
    policy: 'restore',
    restore: 'maintenance',
    why: 'as POST: an edit can move a read-only window to now',
  },
  'GET /api/auth/*': {
    policy: 'disposable-session',
    why: 'sign-out, revoke-sessions, change-password and two-factor enrolment end or change the session they are sent with',
  },
  'POST /api/auth/*': {
    policy: 'disposable-session',
    why: 'as GET /api/auth/*',
  },
  'HEAD /api/auth/*': {
    policy: 'disposable-session',
    why: 'runs the GET endpoints',
  },
}

export function requestHints(
  key: string,
  url: string,
  wildcards: Record<string, string[]>,
  auth: { email: string; password: string },
): RequestHints {
  return {
    wildcard: wildcards[url],
    body: url === '/api/auth/*' && key.startsWith('POST') ? authBody(auth.email, auth.password) : undefined,
    refusedBodiesOnly: SIDE_EFFECTS[key]?.policy === 'refused-bodies',
  }
}
