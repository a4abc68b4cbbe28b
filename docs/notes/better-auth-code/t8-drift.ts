import { getMigrations } from 'better-auth/db/migration'
import { openDb } from './db.ts'
import { makeAuth } from './auth.ts'
import { up } from './migration-auth.ts'
const { db, close } = await openDb()
await up(db)
const auth = makeAuth({ db, secrets: ['secret-A-x9Qk2LmP7vR4tW8zB1nC5dF3gH6jK0sY'] })
const m = await getMigrations(auth.options as any)
console.log('toBeCreated', m.toBeCreated.map((t: any) => t.table), 'toBeAdded', m.toBeAdded.map((t: any) => [t.table, Object.keys(t.fields)]))
console.log('compiled:', JSON.stringify(await m.compileMigrations()))
await close()
