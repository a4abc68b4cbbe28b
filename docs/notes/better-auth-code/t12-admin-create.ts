import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { makeAuth } from './auth.ts'
import { sql } from 'kysely'
const { db, close } = await openDb()
await up(db)
const auth2 = makeAuth({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'], audit: () => {} })
const ctx = await auth2.$context
const user = await ctx.internalAdapter.createUser({ email: 'admin@example.com', name: 'Admin', emailVerified: true, role: 'admin' } as any, { method: 'admin' })
await ctx.internalAdapter.linkAccount({ userId: user.id, providerId: 'credential', accountId: user.id, password: await ctx.password.hash('correct horse battery') })
const r = await auth2.api.signInEmail({ body: { email: 'admin@example.com', password: 'correct horse battery' }, asResponse: true })
console.log('server-side created admin signs in:', r.status, ((await r.json()) as any).user.role)
console.log((await sql`select email, role, email_verified from users`.execute(db)).rows)
await close()
