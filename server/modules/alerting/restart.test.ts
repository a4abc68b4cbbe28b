import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TestClock } from '../../../test/clock.ts'
import {
  closeContext,
  createPersistentDatabase,
  type PersistentDatabase,
} from '../../../test/persistent-database.ts'
import type { AppContext } from '../../context.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { writeSamples } from '../monitoring/store.ts'
import { createContact } from '../oncall/contacts.ts'
import { assignRole } from '../oncall/roles.ts'
import { evaluateAlerts } from './evaluate.ts'
import { createRule } from './rules.ts'
import { claimEvaluation } from './runner.ts'

/**
 * Escalation lives in the database: a process that stops in the middle of an escalation and a
 * new one that starts later take every step once, none skipped (even those that fell due while
 * nothing ran) and none repeated.
 */

const system: Actor = { type: 'system', id: null }
const env = {
  NOTIFY_POLL_MS: '0',
  // Alert escalation alone: incidents opened from critical alerts have their own tests.
  INCIDENT_AUTO_OPEN: 'off',
  ALERT_EVALUATION_SECONDS: '0',
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
}
const MINUTE = 60_000

async function hot(ctx: AppContext) {
  await writeSamples(ctx, [
    { name: 'cpu_percent', instanceId: ctx.instanceId, at: ctx.clock.now(), value: 97 },
  ])
}

async function sent(ctx: AppContext) {
  const rows = await ctx.db
    .selectFrom('notification_outbox')
    .select(['channel', 'destination'])
    .where('source', 'like', 'alert:%')
    .orderBy('id')
    .execute()
  return rows.map((r) => r.channel ?? r.destination)
}

describe('escalation across restarts', () => {
  let database: PersistentDatabase
  const clock = new TestClock('2026-04-06T08:00:00Z')

  beforeAll(async () => {
    database = await createPersistentDatabase()
  })
  /** Contexts still open when a test fails, closed so the next can open the database. */
  const opened: AppContext[] = []
  afterEach(async () => {
    for (const ctx of opened.splice(0)) await closeContext(ctx)
  })
  afterAll(async () => {
    await database.drop()
  })

  it('neither skips nor repeats a step when the process restarts mid-escalation', async () => {
    const first = await database.open({ clock, env })
    opened.push(first)
    await first.db.updateTable('alert_rules').set({ enabled: false }).execute()
    for (const [role, name] of [
      ['engineering_lead', 'lena'],
      ['cto', 'chris'],
      ['ceo', 'cora'],
    ] as const) {
      const contact = await createContact(
        first,
        { name, kind: 'person', email: `${name}@example.com` },
        { actor: system },
      )
      await assignRole(first, role, contact.id, { actor: system })
    }
    await createRule(
      first,
      {
        name: 'Hot',
        metric: 'cpu_percent',
        kind: 'threshold',
        params: { op: '>=', alert: 90, windowSeconds: 60 },
        severity: 'critical',
      },
      system,
    )
    await hot(first)
    await evaluateAlerts(first)
    clock.advance(15 * MINUTE)
    await hot(first)
    await evaluateAlerts(first)
    expect(await sent(first)).toEqual(['slack', 'lena@example.com'])
    await closeContext(opened.pop()!)

    // Down for 50 minutes: the 30- and 60-minute steps fell due meanwhile.
    clock.advance(50 * MINUTE)
    const second = await database.open({ clock, env })
    opened.push(second)
    await hot(second)
    await evaluateAlerts(second)
    await evaluateAlerts(second)
    expect(await sent(second)).toEqual(['slack', 'lena@example.com', 'chris@example.com', 'cora@example.com'])
    await closeContext(opened.pop()!)
  })

  it('lets one replica evaluate per interval, and another take over when it stops finishing', async () => {
    // A 10-second interval; not started, so no timer evaluates behind the test's back.
    const ctx = await database.open({ clock, env: { ...env, ALERT_EVALUATION_SECONDS: '10' }, start: false })
    opened.push(ctx)
    const now = clock.now()
    expect(await claimEvaluation(ctx, now)).toBe(true)
    // The same tick, or a second replica in it: refused while the first has not finished.
    expect(await claimEvaluation(ctx, now)).toBe(false)
    clock.advance(60 * MINUTE)
    // A claim left unfinished (the evaluator died) is taken over after five minutes.
    expect(await claimEvaluation(ctx, clock.now())).toBe(true)
    await ctx.db.updateTable('alert_evaluator').set({ finished_at: clock.now() }).execute()
    clock.advance(2_000)
    expect(await claimEvaluation(ctx, clock.now())).toBe(false)
    clock.advance(5_000)
    expect(await claimEvaluation(ctx, clock.now())).toBe(true)
    await closeContext(opened.pop()!)
  })
})
