import { betterAuth } from 'better-auth'
import { twoFactor } from 'better-auth/plugins'
import { getMigrations } from 'better-auth/db/migration'
import { CamelCasePlugin, Kysely, PostgresDialect, sql } from 'kysely'
import { openDb } from './db.ts'
import { up } from './migration-auth.ts'

const { db, pool, close } = await openDb()
await up(db)
// a second Kysely on the SAME pool, translating camelCase <-> snake_case
const authDb = new Kysely<any>({ dialect: new PostgresDialect({ pool }), plugins: [new CamelCasePlugin()] })
const auth = betterAuth({
  baseURL: 'http://localhost:3000', secret: 'secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY', telemetry: { enabled: false },
  database: { db: authDb, type: 'postgres', transaction: true },
  emailAndPassword: { enabled: true },
  user: { modelName: 'users', additionalFields: { role: { type: 'string', required: false, defaultValue: 'viewer', input: false }, disabled: { type: 'boolean', required: false, defaultValue: false, input: false } } },
  session: { modelName: 'sessions' }, account: { modelName: 'accounts' }, verification: { modelName: 'verifications' },
  plugins: [twoFactor({ issuer: 'Sentia', schema: { twoFactor: { modelName: 'twoFactors' } } })],
})
console.log('pending migrations vs our SQL:', JSON.stringify(await (await getMigrations(auth.options as any)).compileMigrations()))
const r = await auth.handler(new Request('http://localhost:3000/api/auth/sign-up/email', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'f@example.com', password: 'correct horse battery', name: 'F' }) }))
const cookie = r.headers.getSetCookie()[0]!.split(';')[0]!
console.log('signup', r.status)
const en = await auth.api.enableTwoFactor({ body: { password: 'correct horse battery' }, headers: new Headers({ cookie }) })
console.log('enable 2fa', Object.keys(en))
console.log((await sql`select email_verified, two_factor_enabled, role from users`.execute(db)).rows, (await sql`select user_id, verified from two_factors`.execute(db)).rows)
await authDb.destroy().catch(() => {}); await close()
