import { openDb } from './db.ts'
import { up } from './migration-auth.ts'
import { buildApp } from './app.ts'
const { db, close } = await openDb()
await up(db)
for (const rateLimit of [undefined, { enabled: false }]) {
  const { app } = buildApp({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'], audit: () => {}, extra: { rateLimit } })
  const codes = []
  for (let i = 0; i < 5; i++) {
    const r = await app.inject({ method: 'POST', url: '/api/auth/sign-in/email', payload: { email: 'x@example.com', password: 'whatever-123' }, headers: { origin: 'http://localhost:3000' } })
    codes.push(r.statusCode + (r.statusCode === 429 ? ` retry-after=${r.headers['x-retry-after']}` : ''))
  }
  console.log('NODE_ENV', process.env.NODE_ENV, 'rateLimit', JSON.stringify(rateLimit), codes)
  await app.close()
}
await close()
