import type { InjectOptions } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from './app.ts'

/**
 * Every API route (and better-auth's endpoints) given malformed, oversized, wrongly typed and
 * odd-unicode input: the answer is never a 5xx, and every refusal has the error shape.
 */

const ODD_STRINGS = [
  'nul\u0000byte',
  'lone \ud800 surrogate',
  'right-to-left \u202e override',
  'zero\u200bwidth\u200djoiner',
  'emoji 🍸🏭',
  'e\u0301 combining',
  'ＦＵＬＬＷＩＤＴＨ',
  ' ',
  '',
  'x'.repeat(70_000),
]

const WRONG_VALUES: unknown[] = [null, 0, -1, 1e308, true, [], {}, ['a'], { nested: { deep: [1] } }]

const ODD_PARAMS = [
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  'x'.repeat(300),
  '%E2%80%AE',
  '%F0%9F%8D%B8',
  '%ZZ',
  "1'or'1'='1",
]

/** A value the schema accepts, as far as a simple reading of it goes (the odd field is what matters). */
function sample(schema: unknown): unknown {
  const s = (schema ?? {}) as Record<string, unknown>
  if ('const' in s) return s.const
  if (Array.isArray(s.enum)) return s.enum[0]
  if (Array.isArray(s.anyOf)) return sample(s.anyOf[0])
  switch (s.type) {
    case 'string':
      if (s.format === 'email') return 'probe@example.com'
      if (s.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString()
      return 'p'.repeat(Math.max(12, Number(s.minLength ?? 0)))
    case 'integer':
    case 'number':
      return s.minimum ?? 1
    case 'boolean':
      return true
    case 'array':
      return []
    case 'object':
      return Object.fromEntries(
        Object.entries((s.properties ?? {}) as Record<string, unknown>).map(([key, value]) => [
          key,
          sample(value),
        ]),
      )
    default:
      return 'p'
  }
}

/**
 * Bodies for a route: not JSON, too large, wrong JSON types, and the schema's own shape with one
 * field at a time set to an odd string or a wrongly typed value.
 */
function bodies(bodySchema: unknown, fallbackFields: string[] = ['name']): InjectOptions[] {
  const json = (payload: unknown): InjectOptions => ({
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(payload),
  })
  const cases: InjectOptions[] = [
    { headers: { 'content-type': 'application/json' }, payload: '{"unterminated": ' },
    { headers: { 'content-type': 'application/json' }, payload: '\u0000' },
    { headers: { 'content-type': 'text/plain' }, payload: 'plain text' },
    { headers: { 'content-type': 'application/json' }, payload: `{"a":"${'y'.repeat(2 * 1024 * 1024)}"}` },
    json([]),
    json(null),
    json(42),
    json('string'),
  ]
  const base = bodySchema ? (sample(bodySchema) as Record<string, unknown>) : {}
  const fields = Object.keys(base).length > 0 ? Object.keys(base) : fallbackFields
  for (const field of fields) {
    for (const odd of [...ODD_STRINGS, ...WRONG_VALUES]) cases.push(json({ ...base, [field]: odd }))
  }
  return cases
}

describe('bad input on every API route', () => {
  let t: TestApp
  let adminKey: { authorization: string }
  let sessionCookie: string
  const origin = 'http://127.0.0.1:3000'
  let failures: string[] = []
  let checked = 0

  beforeAll(async () => {
    t = await buildTestApp({
      start: false,
      env: {
        RATE_LIMIT_PER_MINUTE: '10000',
        SIGNIN_RATE_LIMIT_PER_MINUTE: '10000',
        // configured, so that the webhook's own checks (signature first) meet the bad input
        SHOPIFY_WEBHOOK_SECRET: 'sweep-secret-0123456789abcdef',
      },
    })
    adminKey = await as(t.ctx, 'admin')
    const password = 'a perfectly long password'
    await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: adminKey,
      payload: { email: 'sweep@example.com', name: 'Sweep', role: 'admin', password },
    })
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'sweep@example.com', password },
    })
    sessionCookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    expect(sessionCookie).toContain('=')
  })
  afterAll(() => t.close())

  async function check(label: string, options: InjectOptions): Promise<void> {
    const res = await t.app.inject(options)
    checked++
    const status = res.statusCode
    let shaped = false
    try {
      const body = res.json()
      shaped = typeof body?.error?.code === 'string' && typeof body?.error?.message === 'string'
    } catch {}
    if (status >= 500) failures.push(`${label}: ${status} ${res.body.slice(0, 200)}`)
    else if (status >= 400 && !shaped)
      failures.push(`${label}: ${status} without the error shape: ${res.body.slice(0, 200)}`)
    else if (res.body.includes('    at ')) failures.push(`${label}: a stack trace leaked`)
  }

  it('app routes answer 4xx with an error code, never 5xx', async () => {
    failures = []
    const routes = t.app.routeTable.flatMap((route) =>
      [route.method].flat().map((method) => ({ method, url: route.url, schema: route.schema })),
    )
    const apiRoutes = routes.filter(
      (r) =>
        r.url.startsWith('/api/') &&
        !r.url.startsWith('/api/auth/') &&
        r.url !== '/api/events' && // a stream that never ends; events.test.ts covers it
        r.method !== 'HEAD',
    )
    expect(apiRoutes.length).toBeGreaterThan(20)
    checked = 0
    for (const route of apiRoutes) {
      const urls = route.url.includes(':')
        ? ODD_PARAMS.map((p) => route.url.replace(/:[A-Za-z]+/g, p))
        : [route.url]
      for (const url of urls) {
        const withQuery = `${url}?limit=-1&cursor=%25%25&since=yesterday&until=${'9'.repeat(40)}&action=%00&format=xml&includeInactive=maybe`
        await check(`${route.method} ${withQuery.slice(0, 80)}`, {
          method: route.method as InjectOptions['method'],
          url: withQuery,
          headers: adminKey,
        })
        if (route.method === 'GET' || route.method === 'DELETE' || url !== urls[0]) continue
        const plainUrl = route.url.replace(/:[A-Za-z]+/g, 'probe')
        for (const body of bodies((route.schema as { body?: unknown } | undefined)?.body)) {
          await check(`${route.method} ${plainUrl} body ${String(body.payload).slice(0, 60)}`, {
            method: route.method as InjectOptions['method'],
            url: plainUrl,
            ...body,
            headers: { ...adminKey, ...(body.headers as Record<string, string>) },
          })
        }
      }
    }
    expect(failures).toEqual([])
    expect(checked).toBeGreaterThan(500)
  })

  it('names the problem: a NUL character, a bad %-escape', async () => {
    const nul = await t.app.inject({
      method: 'POST',
      url: '/api/api-keys',
      headers: adminKey,
      payload: { name: 'a\u0000b', role: 'viewer' },
    })
    expect(nul.statusCode).toBe(400)
    expect(nul.json().error.code).toBe('INVALID_CHARACTER')
    // In a query string and a path parameter too.
    for (const url of ['/api/orders?status=%00', '/api/users/a%00b']) {
      const answer = await t.app.inject({ method: 'GET', url, headers: adminKey })
      expect([url, answer.statusCode, answer.json().error.code]).toEqual([url, 400, 'INVALID_CHARACTER'])
    }
    const badEscape = await t.app.inject({ method: 'GET', url: '/api/users/%ZZ', headers: adminKey })
    expect(badEscape.statusCode).toBe(400)
    expect(badEscape.json().error.code).toBe('BAD_URL')
  })

  it("better-auth's endpoints answer 4xx with an error code, never 5xx", async () => {
    failures = []
    const endpoints = [
      '/api/auth/sign-in/email',
      '/api/auth/sign-in/social',
      '/api/auth/change-password',
      '/api/auth/two-factor/enable',
      '/api/auth/two-factor/verify-totp',
      '/api/auth/two-factor/verify-backup-code',
      '/api/auth/two-factor/disable',
    ]
    const fields = ['email', 'password', 'currentPassword', 'newPassword', 'code', 'provider', 'callbackURL']
    const base = {
      type: 'object',
      properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' }])),
    }
    for (const url of endpoints) {
      for (const body of bodies(base)) {
        await check(`POST ${url} body ${String(body.payload).slice(0, 40)}`, {
          method: 'POST',
          url,
          ...body,
          headers: { cookie: sessionCookie, origin, ...(body.headers as Record<string, string>) },
        })
      }
    }
    for (const query of ['?code=%00&state=%ZZ', `?code=${'x'.repeat(5000)}`, '?error=%E2%80%AE']) {
      await check(`GET callback ${query}`, { method: 'GET', url: `/api/auth/callback/oidc${query}` })
    }
    expect(failures).toEqual([])
  })

  it('gives an unknown email and a wrong password the same answer', async () => {
    const attempt = (email: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/sign-in/email',
        payload: { email, password: 'not the right password' },
      })
    const unknown = await attempt('nobody@example.com')
    const wrong = await attempt('sweep@example.com')
    expect(unknown.statusCode).toBe(wrong.statusCode)
    expect(unknown.json()).toEqual(wrong.json())
  })
})
