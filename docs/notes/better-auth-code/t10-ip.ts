import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp } from './app.ts'
import { sql } from 'kysely'
const { db, close } = await openDb()
await up(db)
const { app } = buildApp({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'], audit: () => {} })
await app.inject({ method: 'POST', url: '/api/auth/sign-up/email', payload: { email: 'h@example.com', password: 'correct horse battery', name: 'H' }, headers: { origin: 'http://localhost:3000', 'user-agent': 'test-agent/1', 'x-client-ip': '6.6.6.6', 'x-forwarded-for': '7.7.7.7' } })
console.log((await sql`select ip_address, user_agent from sessions`.execute(db)).rows)
await app.close(); await close()
