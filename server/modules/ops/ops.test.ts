import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { insertCatalogAndRates } from '../../../test/business.ts'
import { TestClock } from '../../../test/clock.ts'
import type { Actor } from '../../platform/http/principal.ts'
import { evaluateAlerts } from '../alerting/evaluate.ts'
import { createRule, listRules, updateRule } from '../alerting/rules.ts'
import { metricCatalog } from '../monitoring/service.ts'
import { CLUSTER, writeSamples } from '../monitoring/store.ts'
import { insertOrder } from '../orders/intake.ts'
import type { Tile, Tiles } from './service.ts'
import { alertLevel, conditionText, tileState } from './state.ts'

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const SLOT = 10 * SECOND
const system: Actor = { type: 'system', id: null }

describe('GET /api/ops/tiles', () => {
  let t: TestApp
  let viewer: { authorization: string }
  // 55 s into a minute: the current minute's bucket holds six 10-second slots.
  const clock = new TestClock('2026-03-02T11:30:55Z')

  beforeAll(async () => {
    t = await buildTestApp({ clock })
    viewer = await as(t.ctx, 'viewer')
  })
  afterAll(() => t.close())

  /** One value per 10-second slot over the last `minutes`, the newest slot now; `value(age)` by slot age. */
  async function samples(
    name: string,
    minutes: number,
    value: (slotsAgo: number) => number | null,
    instance?: string,
  ) {
    const newest = Math.floor(clock.ms() / SLOT) * SLOT
    const rows = Array.from({ length: minutes * 6 }, (_, i) => ({
      name,
      instanceId: instance ?? t.ctx.instanceId,
      at: new Date(newest - i * SLOT),
      value: value(i),
    }))
    await writeSamples(
      t.ctx,
      rows.flatMap((row) => (row.value === null ? [] : [{ ...row, value: row.value }])),
    )
  }

  async function tiles(): Promise<Tiles> {
    const response = await t.app.inject({ url: '/api/ops/tiles', headers: viewer })
    expect(response.statusCode).toBe(200)
    return response.json()
  }

  const tileOf = (answer: Tiles, name: string): Tile => {
    const tile = answer.items.find((item) => item.name === name)
    if (!tile) throw new Error(`no tile ${name}`)
    return tile
  }

  it('needs a signed-in user', async () => {
    expect((await t.app.inject({ url: '/api/ops/tiles' })).statusCode).toBe(401)
  })

  it('lists every catalog metric, system first, with its rules and levels; no data yet', async () => {
    const answer = await tiles()
    expect(answer.at).toBe(clock.now().toISOString())
    const system = metricCatalog.filter((m) => m.kind === 'system').map((m) => m.name)
    const business = metricCatalog.filter((m) => m.kind === 'business').map((m) => m.name)
    expect(answer.items.map((tile) => tile.name)).toEqual([...system, ...business])

    const cpu = tileOf(answer, 'cpu_percent')
    expect(cpu).toMatchObject({ unit: '%', kind: 'system', value: null, valueAt: null, state: 'no-data' })
    expect(cpu.sparkline).toEqual({ stepSeconds: 60, points: [] })
    expect(cpu.rules).toEqual([
      {
        id: expect.any(String),
        name: 'CPU usage',
        kind: 'threshold',
        severity: 'high',
        levels: { op: '>=', alert: 90, warn: 80 },
        condition: 'alert ≥ 90 %, warning ≥ 80 %',
      },
    ])
    expect(tileOf(answer, 'uptime_percent').rules[0]).toMatchObject({
      levels: { op: '<', alert: 99.5, warn: 99.9 },
      condition: 'alert < 99.5 %, warning < 99.9 %',
    })
    expect(tileOf(answer, 'active_users').rules[0]).toMatchObject({
      kind: 'change',
      levels: null,
      condition: 'alert on a drop of 50 % or more against 7 days earlier',
    })
    // No rule watches the request rate or the median response time.
    expect(tileOf(answer, 'request_rate')).toMatchObject({ state: 'no-rule', rules: [] })
    expect(tileOf(answer, 'response_time_p50_ms').state).toBe('no-rule')
    // Stored by the hour: two days of hourly points (none yet).
    expect(tileOf(answer, 'revenue_per_hour').sparkline.stepSeconds).toBe(3600)
  })

  it('colours each tile by its value against the levels, and reads uptime over 24 hours', async () => {
    await samples('cpu_percent', 60, () => 40)
    // The latest minute's mean decides: 70 an hour back, 85 in the last minute (warning ≥ 80).
    await samples('memory_percent', 60, (ago) => (ago < 6 ? 87 : 70))
    await samples('disk_percent', 60, () => 95)
    // Two replicas: the worst one counts.
    await samples('response_time_p95_ms', 60, () => 150)
    await samples('response_time_p95_ms', 60, () => 2500, 'other-replica')
    // Sampled for the last hour (10:31:00 to 11:30:50) but for six slots (a minute) missed.
    await samples('sampler_coverage', 60, (ago) => (ago >= 180 && ago < 186 ? null : 10), CLUSTER)

    const answer = await tiles()
    const cpu = tileOf(answer, 'cpu_percent')
    expect(cpu).toMatchObject({
      value: 40,
      valueAt: '2026-03-02T11:30:00.000Z',
      valueSeconds: 60,
      state: 'ok',
    })
    expect(cpu.sparkline.stepSeconds).toBe(60)
    expect(cpu.sparkline.points).toHaveLength(60)
    expect(cpu.sparkline.points.every((point) => point.value === 40)).toBe(true)
    expect(cpu.sparkline.points.at(-1)).toEqual({ at: '2026-03-02T11:30:00.000Z', value: 40 })

    expect(tileOf(answer, 'memory_percent')).toMatchObject({ value: 87, state: 'warning' })
    expect(tileOf(answer, 'disk_percent')).toMatchObject({ value: 95, state: 'alert' })
    expect(tileOf(answer, 'response_time_p95_ms')).toMatchObject({ value: 2500, state: 'warning' })
    expect(tileOf(answer, 'request_rate')).toMatchObject({ state: 'no-rule' })

    // Uptime is not read from the minute points but over 24 hours from the first sample.
    const uptime = tileOf(answer, 'uptime_percent')
    expect(uptime.valueSeconds).toBe(86_400)
    // Judged from the first sample to now (3595 s); the slot under way counts for its 5 s so far.
    expect(uptime.value).toBeCloseTo((100 * (353 * 10 + 5)) / 3595, 3)
    expect(uptime.state).toBe('alert') // < 99.5 %
  })

  it('takes the state from the metric’s active alerts: pending is a warning, firing by its level', async () => {
    // Only the test's own rule on CPU.
    const builtin = (await listRules(t.ctx)).find((rule) => rule.builtin === 'cpu')!
    await updateRule(t.ctx, builtin.id, { enabled: false }, system)
    const rule = await createRule(
      t.ctx,
      {
        name: 'CPU for ops',
        metric: 'cpu_percent',
        kind: 'threshold',
        params: { op: '>=', warn: 60, warnSeverity: 'medium', alert: 75, windowSeconds: 60 },
        severity: 'high',
        forSeconds: 120,
      },
      system,
    )
    // A second replica runs hot (gauges take the worst replica).
    const hot = 'hot-replica'
    clock.advance(10 * SECOND)
    await samples('cpu_percent', 2, () => 80, hot)
    await evaluateAlerts(t.ctx)
    let cpu = tileOf(await tiles(), 'cpu_percent')
    expect(cpu.rules.map((r) => r.name)).toEqual(['CPU for ops'])
    // 80 is past the alert level, but the rule has not held for its 2 minutes yet.
    expect(cpu.alerts).toEqual([{ id: expect.any(String), state: 'pending', severity: 'high' }])
    expect(cpu.state).toBe('warning')

    clock.advance(2 * MINUTE)
    await samples('cpu_percent', 2, () => 80, hot)
    await evaluateAlerts(t.ctx)
    cpu = tileOf(await tiles(), 'cpu_percent')
    expect(cpu.alerts).toEqual([{ id: expect.any(String), state: 'firing', severity: 'high' }])
    expect(cpu.state).toBe('alert')

    // The value is back to normal, but until an evaluation resolves the alert, the tile says alert.
    clock.advance(2 * MINUTE)
    await samples('cpu_percent', 1, () => 20, hot)
    cpu = tileOf(await tiles(), 'cpu_percent')
    expect(cpu.value).toBe(20)
    expect(cpu.state).toBe('alert')
    await evaluateAlerts(t.ctx)
    cpu = tileOf(await tiles(), 'cpu_percent')
    expect(cpu).toMatchObject({ state: 'ok', alerts: [] })

    await updateRule(t.ctx, rule.id, { enabled: false }, system)
    cpu = tileOf(await tiles(), 'cpu_percent')
    expect(cpu).toMatchObject({ state: 'no-rule', rules: [] })
    await updateRule(t.ctx, builtin.id, { enabled: true }, system)
  })

  it('shows revenue and orders per hour over the last 48 hours', async () => {
    await insertCatalogAndRates(t.ctx)
    const hour = Math.floor(clock.ms() / HOUR) * HOUR
    for (const placedAt of [hour - 30 * HOUR + 5 * MINUTE, hour - HOUR + 5 * MINUTE, hour + 5 * MINUTE])
      await insertOrder(
        t.ctx,
        t.ctx.db,
        {
          channel: 'shopify-uk',
          placedAt: new Date(placedAt).toISOString(),
          lines: [{ sku: 'GABA-RED', quantity: 1 }],
        },
        'api',
      )
    const orders = tileOf(await tiles(), 'orders_per_hour')
    expect(orders.sparkline.stepSeconds).toBe(3600)
    expect(orders.valueSeconds).toBe(3600)
    // From the first order's hour to now, an hour without orders is 0.
    expect(orders.sparkline.points).toHaveLength(31)
    expect(orders.sparkline.points[0]).toEqual({ at: new Date(hour - 30 * HOUR).toISOString(), value: 1 })
    expect(orders.sparkline.points.filter((p) => p.value > 0)).toHaveLength(3)
    expect(orders).toMatchObject({ value: 1, valueAt: new Date(hour).toISOString(), state: 'no-rule' })
  })
})

describe('tile state', () => {
  const rule = {
    id: '1',
    severity: 'high' as const,
    kind: 'threshold' as const,
    params: { op: '<' as const, alert: 99.5, warn: 99.9, warnSeverity: 'medium' as const, windowSeconds: 60 },
  }
  const ruleOf = () => rule

  it('judges a value against the levels in the rule’s direction', () => {
    const state = (value: number | null) => tileState({ value, rules: [rule], alerts: [], ruleOf })
    expect(state(100)).toBe('ok')
    expect(state(99.9)).toBe('ok')
    expect(state(99.7)).toBe('warning')
    expect(state(99.5)).toBe('warning')
    expect(state(99.4)).toBe('alert')
    expect(state(null)).toBe('no-data')
    expect(tileState({ value: 1, rules: [], alerts: [], ruleOf })).toBe('no-rule')
  })

  it('tells a firing alert at the warning level from one at the alert level', () => {
    const firing = { ruleId: '1', state: 'firing' as const, value: 99.7 }
    expect(alertLevel({ ...firing, severity: 'medium' }, rule)).toBe('warning')
    expect(alertLevel({ ...firing, severity: 'high' }, rule)).toBe('alert')
    // Same severity for both levels: the value decides.
    const same = { ...rule, params: { ...rule.params, warnSeverity: 'high' as const } }
    expect(alertLevel({ ...firing, severity: 'high' }, same)).toBe('warning')
    expect(alertLevel({ ...firing, severity: 'high', value: 99 }, same)).toBe('alert')
    expect(alertLevel({ ...firing, state: 'pending', severity: 'high' }, rule)).toBe('warning')
    // The worst alert wins over a value that looks fine.
    expect(
      tileState({
        value: 100,
        rules: [rule],
        alerts: [
          { ...firing, severity: 'medium' },
          { ...firing, severity: 'high' },
        ],
        ruleOf,
      }),
    ).toBe('alert')
  })

  it('words every kind of condition with the unit', () => {
    expect(conditionText(rule, '%')).toBe('alert < 99.5 %, warning < 99.9 %')
    expect(
      conditionText({ kind: 'threshold', params: { op: '>=', alert: 3000, windowSeconds: 60 } }, 'ms'),
    ).toBe('alert ≥ 3000 ms')
    expect(
      conditionText({ kind: 'deviation', params: { sigma: 2, weeks: 8, bucketSeconds: 3600 } }, 'GBP/h'),
    ).toBe('alert beyond 2σ from the same hour in 8 earlier weeks')
    expect(conditionText({ kind: 'absence', params: { minutes: 10 } }, '%')).toBe(
      'alert after 10 min without data',
    )
  })
})
