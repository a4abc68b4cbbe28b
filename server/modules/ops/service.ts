import type { AppContext } from '../../context.ts'
import type { AlertSeverity } from '../../platform/db/schema.ts'
import { listRules, type RuleView } from '../alerting/rules.ts'
import { type AlertView, listAlerts } from '../alerting/service.ts'
import {
  type MetricDefinition,
  metricCatalog,
  readSeries,
  type Series,
  type SeriesPoint,
  uptimePercent,
} from '../monitoring/service.ts'
import { conditionText, type Levels, levelsOf, type TileState, tileState } from './state.ts'

/**
 * The /ops page's tiles in one answer: every metric of the catalog (system first, then business)
 * with its latest value, a sparkline, the enabled rules watching it with their levels, and its
 * state. Reads only through the monitoring and alerting modules' services.
 */

const MINUTE_MS = 60_000
const HOUR_MS = 60 * MINUTE_MS
/** Most active alerts read (pages of 200); far beyond any real incident. */
const MAX_ALERT_PAGES = 10

export interface TileRuleView {
  id: string
  name: string
  kind: RuleView['kind']
  severity: AlertSeverity
  levels: Levels | null
  /** The condition in words with the unit: "alert ≥ 90 %, warning ≥ 80 %". */
  condition: string
}

export interface Tile extends MetricDefinition {
  /** The latest point of the last hour (uptime: the last 24 hours); null without data. */
  value: number | null
  /** Start of the bucket the value belongs to (uptime: now). */
  valueAt: string | null
  /** Seconds the value covers: 60, 3600 for hourly business figures, 86400 for uptime. */
  valueSeconds: number
  sparkline: { stepSeconds: number; points: SeriesPoint[] }
  rules: TileRuleView[]
  state: TileState
  /** Active (pending or firing) alerts on the metric. */
  alerts: { id: string; state: 'pending' | 'firing'; severity: AlertSeverity }[]
}

export interface Tiles {
  at: string
  items: Tile[]
}

async function activeAlerts(ctx: AppContext): Promise<AlertView[]> {
  const all: AlertView[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_ALERT_PAGES; page++) {
    const { items, nextCursor } = await listAlerts(ctx, { state: 'active', cursor, limit: 200 })
    all.push(...items)
    if (!nextCursor) break
    cursor = nextCursor
  }
  return all
}

/**
 * The last hour at a minute's step, which is also the sparkline; a metric stored by the hour
 * (revenue, orders, conversion) comes back at an hour's step and is read over 48 hours instead.
 */
async function recent(ctx: AppContext, name: string, now: number): Promise<Series> {
  // Up to and including now: a sample taken at this very moment counts.
  const to = new Date(now + 1)
  const hour = await readSeries(ctx, { name, from: new Date(now - HOUR_MS), to, stepSeconds: 60 })
  if (hour.stepSeconds <= 60) return hour
  return readSeries(ctx, { name, from: new Date(now - 48 * HOUR_MS), to, stepSeconds: 3600 })
}

async function measure(ctx: AppContext, metric: MetricDefinition, now: number) {
  const series = await recent(ctx, metric.name, now)
  const last = series.points.at(-1)
  const sparkline = { stepSeconds: series.stepSeconds, points: series.points }
  if (metric.name === 'uptime_percent') {
    const value = await uptimePercent(ctx, { from: new Date(now - 24 * HOUR_MS), to: new Date(now) })
    return {
      value,
      valueAt: value === null ? null : new Date(now).toISOString(),
      valueSeconds: 86_400,
      sparkline,
    }
  }
  return {
    value: last?.value ?? null,
    valueAt: last?.at ?? null,
    valueSeconds: series.stepSeconds,
    sparkline,
  }
}

export async function opsTiles(ctx: AppContext): Promise<Tiles> {
  const now = ctx.clock.ms()
  const [rules, alerts] = await Promise.all([listRules(ctx), activeAlerts(ctx)])
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]))
  const metrics = [
    ...metricCatalog.filter((m) => m.kind === 'system'),
    ...metricCatalog.filter((m) => m.kind === 'business'),
  ]
  const measured = await Promise.all(metrics.map((metric) => measure(ctx, metric, now)))
  const items = metrics.map((metric, index): Tile => {
    const reading = measured[index]!
    const watching = rules.filter((rule) => rule.enabled && rule.metric === metric.name)
    const onMetric = alerts.filter((alert) => alert.metric === metric.name && alert.state !== 'resolved')
    return {
      ...metric,
      ...reading,
      rules: watching.map((rule) => ({
        id: rule.id,
        name: rule.name,
        kind: rule.kind,
        severity: rule.severity,
        levels: levelsOf(rule),
        condition: conditionText(rule, metric.unit),
      })),
      state: tileState({
        value: reading.value,
        rules: watching,
        alerts: onMetric,
        ruleOf: (id) => ruleById.get(id),
      }),
      alerts: onMetric.map((alert) => ({
        id: alert.id,
        state: alert.state as 'pending' | 'firing',
        severity: alert.severity,
      })),
    }
  })
  return { at: new Date(now).toISOString(), items }
}
