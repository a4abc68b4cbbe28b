import { money, number } from '../../lib/format.ts'
import type { Severity, TileState } from './types.ts'

/** How the /ops page writes metrics, states, severities and times. */

const locale = typeof navigator === 'undefined' ? 'en-GB' : navigator.language

/** Names people read for the catalog's metrics; a metric not listed shows its own name. */
const LABELS: Record<string, string> = {
  cpu_percent: 'CPU',
  memory_percent: 'Memory',
  disk_percent: 'Disk',
  event_loop_lag_ms: 'Event-loop lag',
  request_rate: 'Request rate',
  error_rate: 'Error rate',
  response_time_p50_ms: 'Response time p50',
  response_time_p95_ms: 'Response time p95',
  response_time_p99_ms: 'Response time p99',
  uptime_percent: 'Uptime, 24 hours',
  api_success_rate: 'API success rate',
  revenue_per_hour: 'Revenue per hour',
  orders_per_hour: 'Orders per hour',
  conversion_rate: 'Conversion rate',
  active_users: 'Active users',
  critical_inventory_items: 'Critical inventory items',
  deployment_regressions: 'Deployment regressions',
  incidents_response_overdue: 'Incidents past response time',
  postmortem_actions_overdue: 'Post-mortem actions overdue',
  security_steps_overdue: 'Security steps overdue',
  backup_rpo_excess_seconds: 'Newest verified backup past the RPO',
  backup_drill_failed: 'Last recovery drill failed',
  backup_drill_rto_excess_seconds: 'Last drill past the RTO',
}

export const metricLabel = (name: string) => LABELS[name] ?? name.replaceAll('_', ' ')

/** A value with its unit: "42.5 %", "180 ms", "£1,234.50/h" for money per hour. */
export function valueWithUnit(value: number | null, unit: string): string {
  if (value === null) return '—'
  const perHour = /^([A-Z]{3})\/h$/.exec(unit)
  if (perHour) return `${money(value, perHour[1]!)}/h`
  return unit ? `${number(value, 2)} ${unit}` : number(value, 2)
}

export const STATE_LABEL: Record<TileState, string> = {
  ok: 'OK',
  warning: 'Warning',
  alert: 'Alert',
  'no-data': 'No data',
  'no-rule': 'No rule',
}

/** The shape beside the state's word, so the state never rests on colour alone. */
export const STATE_MARK: Record<TileState, string> = {
  ok: '●',
  warning: '▲',
  alert: '■',
  'no-data': '○',
  'no-rule': '–',
}

export const STATE_BADGE: Record<TileState, string> = {
  ok: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/60 dark:text-emerald-100',
  warning: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  alert: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
  'no-data': 'bg-stone-200 text-stone-800 dark:bg-stone-700 dark:text-stone-100',
  'no-rule': 'bg-stone-100 text-stone-700 dark:bg-stone-800 dark:text-stone-200',
}

export const STATE_EDGE: Record<TileState, string> = {
  ok: 'border-l-emerald-600 dark:border-l-emerald-500',
  warning: 'border-l-amber-500 dark:border-l-amber-400',
  alert: 'border-l-red-600 dark:border-l-red-500',
  'no-data': 'border-l-stone-400 dark:border-l-stone-500',
  'no-rule': 'border-l-stone-300 dark:border-l-stone-600',
}

export const SEVERITY_BADGE: Record<Severity, string> = {
  critical: 'bg-red-700 text-white dark:bg-red-600',
  high: 'bg-red-100 text-red-900 dark:bg-red-900/60 dark:text-red-100',
  medium: 'bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100',
  low: 'bg-sky-100 text-sky-900 dark:bg-sky-900/60 dark:text-sky-100',
}

const moment = new Intl.DateTimeFormat(locale, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
})

/** An instant in the reader's own time zone, named. */
export const when = (iso: string) => moment.format(new Date(iso))

const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' })

export const timeOfDay = (iso: string) => clock.format(new Date(iso))

const figure = (value: number) => number(value, value < 10 ? 1 : 0)

/** A length of time people read at a glance: "340 ms", "2.4 s", "12 min", "3 h", "2 d". */
export function duration(seconds: number): string {
  if (seconds < 1) return `${number(seconds * 1000)} ms`
  if (seconds < 60) return `${figure(seconds)} s`
  if (seconds < 3600) return `${figure(seconds / 60)} min`
  if (seconds < 86_400) return `${figure(seconds / 3600)} h`
  return `${figure(seconds / 86_400)} d`
}

/** A size in bytes with a binary prefix: "812 B", "1.4 MB". */
export function bytes(size: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = size
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  return `${unit === 0 ? number(value) : figure(value)} ${units[unit]}`
}
