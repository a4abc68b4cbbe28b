import { getMigrations } from 'better-auth/db/migration'
import { openDb } from './db.ts'
import { makeAuth } from './auth.ts'
const { db, close } = await openDb('pglite')
const auth = makeAuth({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'] })
const m = await getMigrations(auth.options as any)
console.log(await m.compileMigrations())
await close()
