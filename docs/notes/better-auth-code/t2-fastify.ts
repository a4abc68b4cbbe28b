import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { sql } from 'kysely'

const { db, close } = await openDb()
await up(db)
const A = 'secret-A-' + 'x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'
const B = 'secret-B-' + 'q8Wm3NpL6vT2xZ9cR5bF1dG7hJ4kS0aE'
const events: any[] = []
let { app } = buildApp({ db, secrets: [A], audit: (e) => events.push(e) })
const origin = 'http://localhost:3000'
const jar = new Jar()
const post = async (url: string, payload: unknown, extra: Record<string, string> = {}) => {
  const r = await app.inject({ method: 'POST', url, payload: payload as any, headers: { origin, cookie: jar.header(), ...extra } })
  jar.take(r.headers['set-cookie'] as any)
  return r
}
console.log("start");
let r = await post('/api/auth/sign-up/email', { email: 'Bob@Example.com', password: 'correct horse battery', name: 'Bob', role: 'admin' })
console.log('signup(role=admin)', r.statusCode, r.body)
r = await post('/api/auth/sign-up/email', { email: 'bob@example.com', password: 'correct horse battery', name: 'Bob' })
console.log('signup', r.statusCode, r.body.slice(0, 120))
jar.m.clear()
r = await post('/api/auth/sign-in/email', { email: 'bob@example.com', password: 'correct horse battery' })
console.log('signin', r.statusCode, r.headers['set-cookie'])
r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
console.log('me', r.statusCode, r.body.slice(0, 200))
r = await app.inject({ method: 'GET', url: '/api/auth/get-session', headers: { cookie: jar.header() } })
console.log('get-session', r.statusCode, r.body.slice(0, 100))
r = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 1 } })
console.log('echo (app JSON route still parsed)', r.statusCode, r.body)
// form-urlencoded body through the auth plugin
r = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: 'email=bob%40example.com&password=correct+horse+battery', headers: { 'content-type': 'application/x-www-form-urlencoded', origin } })
console.log('form sign-in', r.statusCode, r.body.slice(0, 60))
// CSRF: cookie present + foreign origin
r = await app.inject({ method: 'POST', url: '/api/auth/sign-out', payload: {}, headers: { origin: 'https://evil.example', cookie: jar.header() } })
console.log('sign-out evil origin', r.statusCode, r.body)
r = await app.inject({ method: 'POST', url: '/api/auth/sign-out', payload: {}, headers: { cookie: jar.header() } })
console.log('sign-out no origin', r.statusCode, r.body)

// ---- secret rotation: restart with [B, A]
const oldCookie = jar.header()
await app.close()
;({ app } = buildApp({ db, secrets: [B, A], audit: (e) => events.push(e) }))
r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: oldCookie } })
console.log('rotated [B,A], old cookie via re-sign ->', r.statusCode, r.body.slice(0, 80))
// without re-sign helper: call getSession directly with the raw cookie
const { auth: auth2 } = buildApp({ db, secrets: [B, A] })
console.log('rotated [B,A], raw auth.api.getSession(old cookie) ->', await auth2.api.getSession({ headers: new Headers({ cookie: oldCookie }) }))
await app.close()
;({ app } = buildApp({ db, secrets: [B] }))
r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: oldCookie } })
console.log('secrets [B] only, old cookie ->', r.statusCode)

// ---- sign-out deletes row
;({ app } = buildApp({ db, secrets: [B, A], audit: (e) => events.push(e) }))
console.log('sessions before', (await sql`select count(*)::int n from sessions`.execute(db)).rows)
r = await post('/api/auth/sign-out', {})
console.log('sign-out', r.statusCode, r.body, 'sessions after', (await sql`select count(*)::int n from sessions`.execute(db)).rows)

// ---- lockout / disabled
for (let i = 0; i < 6; i++) {
  r = await post('/api/auth/sign-in/email', { email: 'bob@example.com', password: 'wrong-password-' + i })
  console.log('bad', i, r.statusCode, r.body)
}
await sql`update users set failed_sign_ins = 0, disabled = true`.execute(db)
r = await post('/api/auth/sign-in/email', { email: 'bob@example.com', password: 'correct horse battery' })
console.log('disabled', r.statusCode, r.body)
console.log(events)
await app.close()
await close()
