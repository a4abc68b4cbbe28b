import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { judge } from './conditions.ts'
import { noteDatabaseCheck } from './database-down.ts'
import { type Breach, recordElapsedAlert } from './evaluate.ts'
import { conditionOf, ensureDefaultRules, listRules, type RuleInput, updateRule } from './rules.ts'
import { runEvaluation } from './runner.ts'
import { getAlert, listAlerts } from './service.ts'

/**
 * "Database down": an outage a process saw in memory is recorded by the next evaluation as a
 * critical alert with the outage's own times, notified and resolved, once across replicas.
 */

const system: Actor = { type: 'system', id: null }
const SECOND = 1000

describe('the Database down alert', () => {
  let t: TestApp
  const clock = new TestClock('2026-05-04T12:00:00Z')
  beforeAll(async () => {
    t = await buildTestApp({
      clock,
      env: {
        SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack-hook',
        NOTIFY_POLL_MS: '0',
        ALERT_EVALUATION_SECONDS: '10',
      },
      start: false,
    })
    await ensureDefaultRules(t.ctx)
  })
  afterAll(() => t.close())

  const databaseDown = async () => (await listRules(t.ctx)).find((rule) => rule.builtin === 'database-down')!

  it('records an outage seen in memory as a critical alert from its first failed check to its first good one', async () => {
    const start = clock.now()
    noteDatabaseCheck(t.ctx, false, 'connect ECONNREFUSED 127.0.0.1:5432')
    clock.advance(10 * SECOND)
    noteDatabaseCheck(t.ctx, false, 'connect ECONNREFUSED 127.0.0.1:5432')
    clock.advance(11 * SECOND)
    noteDatabaseCheck(t.ctx, true)
    const end = clock.now()
    clock.advance(5 * SECOND)

    const report = await runEvaluation(t.ctx)
    // Evaluations leave the rule alone: it has no stored metric to read.
    expect(report.rules).toBe((await listRules(t.ctx)).filter((r) => r.enabled).length - 1)
    const { items } = await listAlerts(t.ctx, { state: 'resolved' })
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      ruleName: 'Database down',
      severity: 'critical',
      state: 'resolved',
      value: 21,
      pendingSince: start.toISOString(),
      firedAt: start.toISOString(),
      resolvedAt: end.toISOString(),
      summary: 'The database could not be reached for 21 s (connect ECONNREFUSED 127.0.0.1:5432)',
    })
    const { timeline } = await getAlert(t.ctx, items[0]!.id)
    expect(timeline.map((e) => e.kind)).toEqual([
      'pending',
      'firing',
      'incident_opened',
      'notified',
      'resolved',
      'resolved_notified',
    ])
    const messages = await t.ctx.db
      .selectFrom('notification_outbox')
      .select(['channel', 'title'])
      .where('source', '=', `alert:${items[0]!.id}`)
      .orderBy('id')
      .execute()
    expect(messages).toEqual([
      { channel: 'slack', title: '[CRITICAL] Database down' },
      { channel: 'slack', title: '[RESOLVED] Database down' },
    ])

    // The next evaluation has nothing more to record.
    clock.advance(10 * SECOND)
    await runEvaluation(t.ctx)
    expect((await listAlerts(t.ctx, { state: 'resolved' })).items).toHaveLength(1)
  })

  it('records an outage once when another replica saw it too', async () => {
    const rows = await t.ctx.db
      .selectFrom('alert_rules')
      .selectAll()
      .where('builtin', '=', 'database-down')
      .execute()
    const rule = rows[0]!
    const first = (await listAlerts(t.ctx, { state: 'resolved' })).items[0]!
    const verdict = judge(conditionOf(rule), rule.severity, { kind: 'threshold', value: 20 }) as Breach
    // The other replica's checks started a second later and ended a second earlier.
    const start = new Date(Date.parse(first.pendingSince) + SECOND)
    const end = new Date(Date.parse(first.resolvedAt!) - SECOND)
    expect(await recordElapsedAlert(t.ctx, rule, verdict, start, end)).toBe(false)
    expect((await listAlerts(t.ctx)).items).toHaveLength(1)
  })

  it('judges the outage against the rule’s level: shorter ones are not recorded', async () => {
    await updateRule(
      t.ctx,
      (await databaseDown()).id,
      { params: { op: '>', alert: 30, windowSeconds: 60, reduce: 'max' } } as Partial<RuleInput>,
      system,
    )
    noteDatabaseCheck(t.ctx, false, 'the database system is shutting down')
    clock.advance(20 * SECOND)
    noteDatabaseCheck(t.ctx, true)
    clock.advance(10 * SECOND)
    await runEvaluation(t.ctx)
    expect((await listAlerts(t.ctx)).items).toHaveLength(1)
  })
})
