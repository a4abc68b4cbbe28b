import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { makeAuth } from './auth.ts'
import { sql } from 'kysely'

const { db, close } = await openDb()
await up(db)
const secrets = ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY']
const pw = 'correct horse battery'
// (a) https base URL -> __Secure- prefix + Secure
{
  const { app } = buildApp({ db, secrets, baseURL: 'https://dash.example.com' })
  const r = await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { email: 'erin@example.com', password: pw, name: 'Erin' }, headers: { origin: 'https://dash.example.com' } })
  console.log('(a) https', r.statusCode, r.headers['set-cookie'])
  await app.close()
}
// (b) sliding refresh
{
  const { app } = buildApp({ db, secrets, audit: () => {} })
  const jar = new Jar()
  let r = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: 'erin@example.com', password: pw }, headers: { origin: 'http://localhost:3000' } })
  jar.take(r.headers['set-cookie'] as any)
  r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
  console.log('(b) fresh session: set-cookie on /api/me?', r.headers['set-cookie'] ?? 'none', JSON.parse(r.body).session)
  // pretend the session was last refreshed 6 minutes ago (updateAge = 5 min)
  await sql`update sessions set expires_at = expires_at - interval '6 minutes'`.execute(db)
  r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
  console.log('(b) after updateAge: set-cookie', r.headers['set-cookie'], JSON.parse(r.body).session)
  // expired session -> null + row deleted
  await sql`update sessions set expires_at = now() - interval '1 second'`.execute(db)
  r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
  console.log('(b) expired', r.statusCode, r.headers['set-cookie'], (await sql`select count(*)::int n from sessions`.execute(db)).rows)
  // update-user cannot set role (input:false)
  r = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: 'erin@example.com', password: pw }, headers: { origin: 'http://localhost:3000' } })
  jar.take(r.headers['set-cookie'] as any)
  r = await app.inject({ method: 'POST', url: '/api/auth/update-user', payload: { role: 'admin', name: 'Erin2' }, headers: { origin: 'http://localhost:3000', cookie: jar.header() } })
  console.log('(f) update-user role=admin', r.statusCode, r.body, (await sql`select name, role from users where email='erin@example.com'`.execute(db)).rows)
  await app.close()
}
// (c) schema check: drop a column
{
  await sql`alter table sessions rename column user_agent to ua`.execute(db)
  const auth = makeAuth({ db, secrets })
  try { await auth.api.getSession({ headers: new Headers() }); console.log('(c) no error?') } catch (e) { console.log('(c) schema check:', (e as Error).constructor.name, (e as Error).message) }
  await sql`alter table sessions rename column ua to user_agent`.execute(db)
}
await close()
