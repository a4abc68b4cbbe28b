import { spawn } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TestClock } from '../../../test/clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.ts'
import {
  closeContext,
  createPersistentDatabase,
  type PersistentDatabase,
} from '../../../test/persistent-database.ts'
import type { AppContext } from '../../context.ts'
import { createChannel } from './channels.ts'
import { leaseMs } from './outbox.ts'
import { deliverDue, enqueueNotification, wakeDelivery } from './service.ts'

/**
 * Messages survive the process: pending ones are delivered after a restart, and one whose
 * sender was killed with kill -9 in the middle of a send is sent again with the same key once
 * its lease expired, so a receiver deduplicating on the key processes it once.
 */

const SECRET = 'restart-webhook-secret-0123456789'
const env = { NOTIFY_POLL_MS: '0', NOTIFY_WEBHOOK_SECRET: SECRET }

const rowsFor = (ctx: AppContext, keys: string[]) =>
  ctx.db.selectFrom('notification_outbox').selectAll().where('idempotency_key', 'in', keys).execute()

describe('notification outbox across restarts', () => {
  let database: PersistentDatabase
  let receiver: WebhookReceiver

  beforeAll(async () => {
    database = await createPersistentDatabase()
    receiver = await startWebhookReceiver({ secret: SECRET })
  })
  afterAll(async () => {
    await receiver.close()
    await database.drop()
  })

  it('delivers the messages pending when the app stopped, each once, after it starts again', async () => {
    const clock = new TestClock()
    const first = await database.open({ clock, env })
    await createChannel(
      first,
      { name: 'hook', kind: 'webhook', destination: `${receiver.url}/hook`, secret: SECRET },
      { type: 'system', id: 'test' },
    )
    const keys = ['restart-a', 'restart-b', 'restart-c']
    await first.db.transaction().execute(async (tx) => {
      await enqueueNotification(first, tx, {
        target: { channel: 'hook' },
        idempotencyKey: keys[0]!,
        title: 'a',
        text: 'a',
      })
      await enqueueNotification(first, tx, {
        target: { channel: 'hook' },
        idempotencyKey: keys[1]!,
        title: 'b',
        text: 'b',
      })
      await enqueueNotification(first, tx, {
        target: { webhook: `${receiver.url}/direct` },
        idempotencyKey: keys[2]!,
        title: 'c',
        text: 'c',
      })
    })
    await closeContext(first, 5000)
    expect(receiver.requests).toHaveLength(0)

    const second = await database.open({ clock, env })
    try {
      expect(await deliverDue(second)).toEqual({ sent: 3, failed: 0, dead: 0 })
      expect(await deliverDue(second)).toEqual({ sent: 0, failed: 0, dead: 0 })
      expect([...receiver.processed.keys()].sort()).toEqual(keys)
      expect(receiver.requests).toHaveLength(3)
      expect(receiver.requests.every((r) => r.signatureValid)).toBe(true)
      expect((await rowsFor(second, keys)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent'])
    } finally {
      await closeContext(second, 5000)
    }
  })

  it('stops cleanly: a send in flight gets its timeout (within the shutdown budget) and is recorded for a retry', async () => {
    const clock = new TestClock()
    receiver.always({ hang: true })
    const cases: { env: Record<string, string>; error: string }[] = [
      { env: { NOTIFY_TIMEOUT_MS: '1500' }, error: 'no answer within 1500 ms' },
      // A timeout longer than half the shutdown budget: the send is cut off at the budget.
      {
        env: { NOTIFY_TIMEOUT_MS: '60000', SHUTDOWN_TIMEOUT_MS: '2000' },
        error: 'the process stopped before the receiver answered',
      },
    ]
    for (const [i, { env: extra, error }] of cases.entries()) {
      const running = await database.open({ clock, env: { NOTIFY_WEBHOOK_SECRET: SECRET, ...extra } })
      const arrived = receiver.nextRequest()
      const key = `stop-${i}`
      await enqueueNotification(running, running.db, {
        target: { channel: 'hook' },
        idempotencyKey: key,
        title: key,
        text: key,
      })
      wakeDelivery(running)
      await arrived
      await closeContext(running, 5000)

      const after = await database.open({ clock, env })
      try {
        const [row] = await rowsFor(after, [key])
        expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: error, lease_id: null })
      } finally {
        await closeContext(after, 5000)
      }
    }
    receiver.always(null)
    const later = await database.open({ clock, env })
    try {
      clock.advance(3_600_000)
      expect(await deliverDue(later)).toEqual({ sent: 2, failed: 0, dead: 0 })
    } finally {
      await closeContext(later, 5000)
    }
  })

  it('sends a message again with the same key after its sender was killed mid-send', async () => {
    const slowEnv = { ...env, NOTIFY_TIMEOUT_MS: '120000' }
    const duplicates = receiver.duplicates
    receiver.always({ hang: true })
    const arrived = receiver.nextRequest()
    const child = spawn(process.execPath, [path.resolve('bin/sentia.js'), 'notifications:test', 'hook'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...database.env,
        ...slowEnv,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    )
    const first = await Promise.race([
      arrived,
      exited.then((code) => Promise.reject(new Error(`sentia exited ${code}: ${output}`))),
    ])
    const key = first.idempotencyKey!
    expect(key).toMatch(/^test:hook:/)
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    receiver.always(null)

    // The killed process's clock was the real one; start where it left off.
    const clock = new TestClock(new Date())
    const restarted = await database.open({ clock, env: slowEnv })
    try {
      const [left] = await rowsFor(restarted, [key])
      expect(left!.status).toBe('sending')
      expect(left!.attempts).toBe(1)
      // Still leased: nobody sends it while the killed process might have been slow instead.
      expect(await deliverDue(restarted)).toEqual({ sent: 0, failed: 0, dead: 0 })

      clock.advance(leaseMs(restarted) + 1000)
      expect(await deliverDue(restarted)).toEqual({ sent: 1, failed: 0, dead: 0 })
      const copies = receiver.requests.filter((r) => r.idempotencyKey === key)
      expect(copies.map((r) => r.answer)).toEqual(['hung', 200])
      expect(copies[0]!.body).toBe(copies[1]!.body)
      expect(receiver.duplicates).toBe(duplicates + 1)
      expect(receiver.processed.has(key)).toBe(true)
      const [done] = await rowsFor(restarted, [key])
      expect(done!.status).toBe('sent')
      expect(done!.attempts).toBe(2)
    } finally {
      await closeContext(restarted, 5000)
    }
  })

  it('the CLI sends a test message at once and lists the outbox', async () => {
    const test = await sentia(['notifications:test', 'hook', '--json'], database.env)
    expect(test.code, test.output).toBe(0)
    const sent = JSON.parse(test.stdout) as { id: string; status: string; history: { outcome: string }[] }
    expect(sent.status).toBe('sent')
    expect(sent.history.map((h) => h.outcome)).toEqual(['sent'])
    expect([...receiver.processed.values()].some((body) => (body as { id: string }).id === sent.id)).toBe(
      true,
    )

    const list = await sentia(
      ['notifications:list', '--source', 'test', '--limit', '1', '--json'],
      database.env,
    )
    expect(list.code, list.output).toBe(0)
    expect((JSON.parse(list.stdout) as { items: { id: string }[] }).items.map((m) => m.id)).toEqual([sent.id])
    const missing = await sentia(['notifications:test', 'nowhere'], database.env)
    expect(missing.code).toBe(1)
    expect(missing.output).toContain('No notification channel named "nowhere"')
  })
})

/** The real `sentia` command on the given database. */
function sentia(
  args: string[],
  databaseEnv: Record<string, string>,
): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('bin/sentia.js'), ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...databaseEnv, ...env, LOG_LEVEL: 'warn' },
    })
    let stdout = ''
    let output = ''
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      output += d
    })
    child.stderr.on('data', (d: Buffer) => (output += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, output }))
  })
}
