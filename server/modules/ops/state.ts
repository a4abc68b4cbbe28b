import type { AlertSeverity } from '../../platform/db/schema.ts'
import type { Comparison, RuleCondition } from '../alerting/conditions.ts'

/**
 * What a tile says about its metric, as pure functions: a rule's levels and the words for its
 * condition, and the tile's state from the metric's active alerts or, without one, from its
 * latest value against the levels of its enabled threshold rules.
 */

export type TileState = 'ok' | 'warning' | 'alert' | 'no-data' | 'no-rule'

export interface Levels {
  op: Comparison
  alert: number
  warn: number | null
}

/** The rule facts a tile needs (a RuleView has them all). */
export type TileRule = RuleCondition & { id: string; severity: AlertSeverity }

/** The alert facts a tile needs (an AlertView has them all). */
export interface TileAlert {
  ruleId: string
  state: 'pending' | 'firing' | 'resolved'
  severity: AlertSeverity
  value: number | null
}

const test: Record<Comparison, (a: number, b: number) => boolean> = {
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
}

const SYMBOL: Record<Comparison, string> = { '>': '>', '>=': '≥', '<': '<', '<=': '≤' }

export function levelsOf(rule: RuleCondition): Levels | null {
  if (rule.kind !== 'threshold') return null
  const { op, alert, warn } = rule.params
  return { op, alert, warn: warn ?? null }
}

/** A value with its unit as people write it: "90 %", "3000 ms", "120 GBP/h". */
export function withUnit(value: number, unit: string): string {
  return unit ? `${value} ${unit}` : String(value)
}

function span(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '1 day' : `${seconds / 86_400} days`
  if (seconds % 3600 === 0) return seconds === 3600 ? '1 hour' : `${seconds / 3600} hours`
  if (seconds % 60 === 0) return `${seconds / 60} min`
  return `${seconds} s`
}

/** The condition in a few words with the metric's unit: "alert ≥ 90 %, warning ≥ 80 %". */
export function conditionText(rule: RuleCondition, unit: string): string {
  switch (rule.kind) {
    case 'threshold': {
      const { op, alert, warn } = rule.params
      const level = (value: number) => `${SYMBOL[op]} ${withUnit(value, unit)}`
      return warn === undefined ? `alert ${level(alert)}` : `alert ${level(alert)}, warning ${level(warn)}`
    }
    case 'change': {
      const { direction, percent, compareSeconds } = rule.params
      return `alert on a ${direction} of ${percent} % or more against ${span(compareSeconds)} earlier`
    }
    case 'deviation': {
      const { sigma, weeks, bucketSeconds } = rule.params
      return `alert beyond ${sigma}σ from the same ${bucketSeconds === 3600 ? 'hour' : 'day'} in ${weeks} earlier weeks`
    }
    case 'absence':
      return `alert after ${rule.params.minutes} min without data`
  }
}

const RANK: Record<TileState, number> = { 'no-rule': 0, 'no-data': 1, ok: 2, warning: 3, alert: 4 }

const worst = (states: TileState[]): TileState =>
  states.reduce<TileState>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok')

/**
 * The level an active alert stands at. Pending: the condition holds but not yet for the rule's
 * `for` time, so a warning. Firing: the alert level, unless it fired at the threshold rule's
 * warning level (its severity is the warning's, or, when both severities are the same, its
 * value does not reach the alert level).
 */
export function alertLevel(alert: TileAlert, rule: TileRule | undefined): 'warning' | 'alert' {
  if (alert.state !== 'firing') return 'warning'
  if (rule?.kind !== 'threshold' || rule.params.warn === undefined) return 'alert'
  const warnSeverity = rule.params.warnSeverity ?? 'low'
  if (warnSeverity !== rule.severity) return alert.severity === rule.severity ? 'alert' : 'warning'
  if (alert.value === null) return 'alert'
  return test[rule.params.op](alert.value, rule.params.alert) ? 'alert' : 'warning'
}

/** A value against one rule's levels; null for a rule without levels (it speaks only through alerts). */
function valueLevel(value: number, rule: TileRule): TileState | null {
  const levels = levelsOf(rule)
  if (!levels) return null
  if (test[levels.op](value, levels.alert)) return 'alert'
  if (levels.warn !== null && test[levels.op](value, levels.warn)) return 'warning'
  return 'ok'
}

/**
 * The tile's state: from the metric's active alerts when it has any (the worst of them), else
 * `no-rule` without an enabled rule, `no-data` without a value, else the value against the
 * enabled threshold rules' levels (the worst; `ok` when only other kinds of rule watch it).
 */
export function tileState(input: {
  value: number | null
  rules: TileRule[]
  alerts: TileAlert[]
  ruleOf: (id: string) => TileRule | undefined
}): TileState {
  const active = input.alerts.filter((alert) => alert.state !== 'resolved')
  if (active.length > 0) return worst(active.map((alert) => alertLevel(alert, input.ruleOf(alert.ruleId))))
  if (input.rules.length === 0) return 'no-rule'
  if (input.value === null) return 'no-data'
  const value = input.value
  return worst(input.rules.map((rule) => valueLevel(value, rule) ?? 'ok'))
}
