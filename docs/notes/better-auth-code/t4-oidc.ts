import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { startIdp } from './idp.ts'
import { genericOAuth } from 'better-auth/plugins'
import { sql } from 'kysely'

const APP_PORT = 3310, IDP_PORT = 4010
const baseURL = `http://localhost:${APP_PORT}`
const { db, close } = await openDb()
await up(db)
const idp = await startIdp(IDP_PORT, `${baseURL}/api/auth/callback/sentia-oidc`)
const { app } = buildApp({
  db, baseURL, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'],
  audit: (e) => console.log('  audit', JSON.stringify(e)),
  plugins: [genericOAuth({ config: [{
    providerId: 'sentia-oidc',
    discoveryUrl: `${idp.issuer}/.well-known/openid-configuration`,
    clientId: 'sentia',
    clientSecret: 'sentia-test-secret',
    tokenEndpointAuth: { method: 'client_secret_basic' },
    scopes: ['openid', 'email', 'profile'],
    requireIdTokenVerification: true,
  }] })],
})
await app.listen({ port: APP_PORT, host: '127.0.0.1' })

/** Follow redirects by hand, keeping one cookie jar per origin. */
const jars = new Map<string, Jar>()
const jarFor = (u: string) => { const o = new URL(u).host; if (!jars.has(o)) jars.set(o, new Jar()); return jars.get(o)! }
async function go(url: string, init: RequestInit = {}): Promise<Response> {
  const jar = jarFor(url)
  const headers = new Headers(init.headers)
  if (jar.header()) headers.set('cookie', jar.header())
  const res = await fetch(url, { ...init, headers, redirect: 'manual' })
  jar.take(res.headers.getSetCookie())
  console.log(init.method ?? 'GET', url.slice(0, 110), '->', res.status, res.headers.get('location')?.slice(0, 110) ?? '')
  return res
}
async function follow(res: Response, from: string): Promise<{ res: Response; url: string }> {
  let url = from
  while (res.status >= 300 && res.status < 400) {
    url = new URL(res.headers.get('location')!, url).toString()
    res = await go(url)
  }
  return { res, url }
}
async function loginAs(account: string) {
  // 1. start: POST /api/auth/sign-in/social { provider, callbackURL } -> { url, redirect: true }
  const start = await go(`${baseURL}/api/auth/sign-in/social`, {
    method: 'POST', headers: { 'content-type': 'application/json', origin: baseURL },
    body: JSON.stringify({ provider: 'sentia-oidc', callbackURL: '/dashboard', errorCallbackURL: '/login-error' }),
  })
  const { url } = await start.json() as { url: string }
  console.log('authorize URL', url.slice(0, 200))
  // 2. at the IdP: redirected to the dev login form; submit login, then consent
  let { res, url: at } = await follow(await go(url), url)
  for (const prompt of ['login', 'consent']) {
    if (!new URL(at).pathname.startsWith('/interaction/')) break
    const form = new URLSearchParams(prompt === 'login' ? { prompt, login: account, password: 'x' } : { prompt })
    res = await go(at, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
    ;({ res, url: at } = await follow(res, at))  // stops at the next interaction page, or at the app's final page
  }
  return { res, at }
}
let { res, at } = await loginAs('alice')
console.log('final', res.status, at)
const appJar = jarFor(baseURL)
const me = await fetch(`${baseURL}/api/me`, { headers: { cookie: appJar.header() } })
console.log('me', me.status, (await me.text()).slice(0, 200))
console.log((await sql`select provider_id, account_id, left(id_token, 20) idt, scope from accounts`.execute(db)).rows)
console.log((await sql`select email, name, email_verified, role from users`.execute(db)).rows)

// disabled user via OIDC: pre-create dave with disabled=true, then log in through the IdP
await sql`insert into users (id, name, email, email_verified, disabled) values ('dave1', 'Dave', 'dave@example.com', true, true)`.execute(db)
jars.clear()
;({ res, at } = await loginAs('dave'))
console.log('disabled final', res.status, at)
await app.close(); await idp.close(); await close()
