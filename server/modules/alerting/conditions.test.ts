import { describe, expect, it } from 'vitest'
import { judge, type RuleCondition, zScore } from './conditions.ts'
import { DEFAULT_RULES } from './defaults.ts'
import { nextStep } from './lifecycle.ts'

const cpu = DEFAULT_RULES.find((r) => r.builtin === 'cpu')! as RuleCondition
const drop = DEFAULT_RULES.find((r) => r.builtin === 'active-users-drop')! as RuleCondition
const revenue = DEFAULT_RULES.find((r) => r.builtin === 'revenue-deviation')! as RuleCondition
const uptime = DEFAULT_RULES.find((r) => r.builtin === 'uptime')! as RuleCondition

describe('threshold', () => {
  it('uses the runbook levels: warning at 80 %, alert at 90 % CPU', () => {
    expect(judge(cpu, 'high', { kind: 'threshold', value: 79.9 }).state).toBe('ok')
    expect(judge(cpu, 'high', { kind: 'threshold', value: 80 })).toMatchObject({
      state: 'breach',
      severity: 'medium',
    })
    expect(judge(cpu, 'high', { kind: 'threshold', value: 90 })).toMatchObject({
      state: 'breach',
      severity: 'high',
    })
  })

  it('compares downwards for uptime: warning below 99.9 %, alert below 99.5 %', () => {
    expect(judge(uptime, 'high', { kind: 'threshold', value: 99.95 }).state).toBe('ok')
    expect(judge(uptime, 'high', { kind: 'threshold', value: 99.7 })).toMatchObject({ severity: 'medium' })
    expect(judge(uptime, 'high', { kind: 'threshold', value: 99.3 })).toMatchObject({ severity: 'high' })
  })

  it('has no verdict without data', () => {
    expect(judge(cpu, 'high', { kind: 'threshold', value: null }).state).toBe('unknown')
  })
})

describe('change (active users 50 % drop against a week earlier)', () => {
  it('breaches at exactly half and below, not above', () => {
    expect(judge(drop, 'high', { kind: 'change', current: 51, before: 100 }).state).toBe('ok')
    expect(judge(drop, 'high', { kind: 'change', current: 50, before: 100 }).state).toBe('breach')
    expect(judge(drop, 'high', { kind: 'change', current: 10, before: 100 })).toMatchObject({
      state: 'breach',
      summary: '10 against 100 before (-90.0%)',
    })
  })

  it('has nothing to compare with when the week before was 0 or missing', () => {
    expect(judge(drop, 'high', { kind: 'change', current: 5, before: 0 }).state).toBe('ok')
    expect(judge(drop, 'high', { kind: 'change', current: 5, before: null }).state).toBe('unknown')
  })
})

describe('deviation (revenue per hour, 2σ over 8 weeks)', () => {
  const history = [100, 110, 90, 105, 95, 100, 102, 98]

  it('computes z with the sample standard deviation', () => {
    const { mean, sd, z } = zScore(130, history)
    expect(mean).toBe(100)
    // squares: 0+100+100+25+25+0+4+4 = 258; / 7 = 36.857…
    expect(sd).toBeCloseTo(Math.sqrt(258 / 7), 10)
    expect(z).toBeCloseTo(30 / Math.sqrt(258 / 7), 10)
  })

  it('breaches beyond 2σ either way, not within', () => {
    const sd = Math.sqrt(258 / 7)
    expect(judge(revenue, 'medium', { kind: 'deviation', current: 100 + 1.9 * sd, history }).state).toBe('ok')
    expect(judge(revenue, 'medium', { kind: 'deviation', current: 100 + 2.1 * sd, history }).state).toBe(
      'breach',
    )
    expect(judge(revenue, 'medium', { kind: 'deviation', current: 0, history }).state).toBe('breach')
  })

  it('needs two earlier weeks and some variation', () => {
    expect(judge(revenue, 'medium', { kind: 'deviation', current: 5, history: [100] }).state).toBe('unknown')
    expect(judge(revenue, 'medium', { kind: 'deviation', current: 5, history: [100, 100] }).state).toBe('ok')
  })
})

describe('absence (dead-man switch)', () => {
  const rule: RuleCondition = { kind: 'absence', params: { minutes: 5 } }
  const now = new Date('2026-03-01T12:00:00Z')

  it('breaches after N minutes without data, counting from the rule when nothing ever came', () => {
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000)
    expect(
      judge(rule, 'high', { kind: 'absence', lastSeenAt: at(4), watchingSince: at(100), now }).state,
    ).toBe('ok')
    expect(
      judge(rule, 'high', { kind: 'absence', lastSeenAt: at(6), watchingSince: at(100), now }).state,
    ).toBe('breach')
    expect(judge(rule, 'high', { kind: 'absence', lastSeenAt: null, watchingSince: at(3), now }).state).toBe(
      'ok',
    )
    expect(judge(rule, 'high', { kind: 'absence', lastSeenAt: null, watchingSince: at(6), now }).state).toBe(
      'breach',
    )
  })
})

describe('an alert’s life', () => {
  const t0 = new Date('2026-03-01T12:00:00Z')
  const later = (s: number) => new Date(t0.getTime() + s * 1000)
  const breach = { state: 'breach', severity: 'high', value: 95, summary: '' } as const
  const ok = { state: 'ok', value: 10, summary: '' } as const

  it('waits the `for` duration before firing, and drops a pending alert that clears', () => {
    expect(nextStep(undefined, breach, 300, t0)).toBe('open-pending')
    expect(nextStep({ state: 'pending', pendingSince: t0 }, breach, 300, later(299))).toBe('update')
    expect(nextStep({ state: 'pending', pendingSince: t0 }, breach, 300, later(300))).toBe('fire')
    expect(nextStep({ state: 'pending', pendingSince: t0 }, ok, 300, later(100))).toBe('drop')
  })

  it('fires at once with no `for`, resolves when clear, and ignores gaps in the data', () => {
    expect(nextStep(undefined, breach, 0, t0)).toBe('open-firing')
    expect(nextStep({ state: 'firing', pendingSince: t0 }, ok, 0, later(10))).toBe('resolve')
    expect(
      nextStep({ state: 'firing', pendingSince: t0 }, { state: 'unknown', summary: '' }, 0, later(10)),
    ).toBe('none')
    expect(nextStep(undefined, ok, 0, t0)).toBe('none')
  })
})
