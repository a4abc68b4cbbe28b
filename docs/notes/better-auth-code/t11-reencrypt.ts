import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp, Jar } from './app.ts'
import { totpFromUri } from './totp.ts'
import { reencryptTwoFactor } from './reencrypt.ts'
import { sql } from 'kysely'
const { db, close } = await openDb()
await up(db)
const A = 'secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY', B = 'secret-B-q8Wm3NpL6vT2xZ9cR5bF1dG7hJ4kS0aE'
const pw = 'correct horse battery', origin = 'http://localhost:3000'
async function flow(secrets: string[], fn: (post: (u: string, p: unknown) => Promise<{ status: number; body: any }>) => Promise<void>) {
  const { app } = buildApp({ db, secrets, audit: () => {} })
  const jar = new Jar()
  await fn(async (url, payload) => {
    const r = await app.inject({ method: 'POST', url, payload: payload as any, headers: { origin, cookie: jar.header() } })
    jar.take(r.headers['set-cookie'] as any)
    return { status: r.statusCode, body: r.json() }
  })
  await app.close()
}
let uri = ''
await flow([A], async (post) => {
  await post('/api/auth/sign-up/email', { email: 'k@example.com', password: pw, name: 'K' })
  uri = (await post('/api/auth/two-factor/enable', { password: pw })).body.totpURI
  console.log('verify', (await post('/api/auth/two-factor/verify-totp', { code: totpFromUri(uri) })).status)
})
const signIn = (secrets: string[]) => flow(secrets, async (post) => {
  const a = await post('/api/auth/sign-in/email', { email: 'k@example.com', password: pw })
  const b = await post('/api/auth/two-factor/verify-totp', { code: totpFromUri(uri) })
  console.log(`  secrets=[${secrets.map((s) => s[7]).join(',')}] password step`, a.status, JSON.stringify(a.body), '-> totp', b.status, JSON.stringify(b.body).slice(0, 80))
})
console.log('A dropped without re-encryption:'); await signIn([B])
console.log('re-encrypted rows:', await reencryptTwoFactor(db, [B, A]))
console.log('after re-encryption, A dropped:'); await signIn([B])
await close()
