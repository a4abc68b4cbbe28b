import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { totpFromUri } from './totp.ts'
import { createOTP } from '@better-auth/utils/otp'
import { base32 } from '@better-auth/utils/base32'
import { sql } from 'kysely'

const { db, close } = await openDb()
await up(db)
const A = 'secret-A-' + 'x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'
const B = 'secret-B-' + 'q8Wm3NpL6vT2xZ9cR5bF1dG7hJ4kS0aE'
let { app, auth } = buildApp({ db, secrets: [A], audit: (e) => console.log('  audit', JSON.stringify(e)) })
const origin = 'http://localhost:3000'
const jar = new Jar()
const post = async (url: string, payload: unknown) => {
  const r = await app.inject({ method: 'POST', url, payload: payload as any, headers: { origin, cookie: jar.header() } })
  console.log('POST', url, r.statusCode, r.body.slice(0, 300))
  if (r.headers['set-cookie']) console.log('   set-cookie:', [r.headers['set-cookie']].flat().map((c) => String(c).split(';').slice(0, 2).join(';')))
  jar.take(r.headers['set-cookie'] as any)
  return r
}
const pw = 'correct horse battery'
await post('/api/auth/sign-up/email', { email: 'carol@example.com', password: pw, name: 'Carol' })
const en = await post('/api/auth/two-factor/enable', { password: pw })
const { totpURI, backupCodes } = JSON.parse(en.body)
console.log('totpURI', totpURI)
// two ways to compute the current code
const viaOwn = totpFromUri(totpURI)
const viaUtils = await createOTP(new TextDecoder().decode(base32.decode(new URL(totpURI).searchParams.get('secret')!))).totp()
console.log('code own', viaOwn, 'code @better-auth/utils', viaUtils)
console.log('db before verify', (await sql`select two_factor_enabled from users`.execute(db)).rows, (await sql`select verified, left(secret,12) s from two_factors`.execute(db)).rows)
await post('/api/auth/two-factor/verify-totp', { code: viaOwn })
console.log('db after verify', (await sql`select two_factor_enabled from users`.execute(db)).rows, (await sql`select verified from two_factors`.execute(db)).rows)
await post('/api/auth/sign-out', {})
// restart with rotated secrets: TOTP secret was encrypted under A; the 2FA cookie is signed with B now
;({ app, auth } = buildApp({ db, secrets: [B, A], audit: (e) => console.log('  audit', JSON.stringify(e)) }))
await post('/api/auth/sign-in/email', { email: 'carol@example.com', password: pw })
console.log('jar after password step', [...jar.m.keys()])
await post('/api/auth/two-factor/verify-totp', { code: '000000' })
await post('/api/auth/two-factor/verify-totp', { code: totpFromUri(totpURI) })
console.log('jar', [...jar.m.keys()])
let r = await app.inject({ method: 'GET', url: '/api/me', headers: { cookie: jar.header() } })
console.log('me', r.statusCode)
await post('/api/auth/two-factor/disable', { password: pw })
console.log('db after disable', (await sql`select two_factor_enabled from users`.execute(db)).rows, (await sql`select count(*) from two_factors`.execute(db)).rows)
// backup codes sanity
console.log('backup codes sample', backupCodes.slice(0, 2))
await app.close(); await close()
