import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { sql } from 'kysely'
const { db, close } = await openDb()
await up(db)
const ABSOLUTE_MS = 24 * 3600_000
const { app } = buildApp({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'], audit: () => {}, extra: {
  databaseHooks: { session: { update: { before: async (data: any, ctx: any) => {
    // refuse to extend a session older than the absolute limit
    const token = data.token ?? undefined
    const s = ctx?.context.session?.session
    console.log('  update.before data keys', Object.keys(data), 'ctx.session?', !!s)
    if (s && Date.now() - new Date(s.createdAt).getTime() > ABSOLUTE_MS) return false
  } } } },
} })
const jar = new Jar()
let r = await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { email: 'g@example.com', password: 'correct horse battery', name: 'G' }, headers: { origin: 'http://localhost:3000' } })
jar.take(r.headers['set-cookie'] as any)
await sql`update sessions set created_at = now() - interval '25 hours', expires_at = expires_at - interval '6 minutes'`.execute(db)
r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
console.log('me after absolute limit', r.statusCode, r.body.slice(0, 80), r.headers['set-cookie'])
await app.close(); await close()
