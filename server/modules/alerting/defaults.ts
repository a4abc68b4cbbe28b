import type { AlertSeverity } from '../../platform/db/schema.ts'
import type { RuleCondition } from './conditions.ts'

/**
 * The runbook's thresholds and escalation matrix, installed on first start (a rule or policy
 * an admin changed is never overwritten; built-in rules can be disabled, not deleted).
 */

export type DefaultRule = RuleCondition & {
  builtin: string
  name: string
  description: string
  metric: string
  severity: AlertSeverity
  forSeconds: number
}

const MINUTE = 60

export const DEFAULT_RULES: DefaultRule[] = [
  {
    builtin: 'cpu',
    name: 'CPU usage',
    description: 'Runbook: CPU below 80% (warning), alert at 90%. Mean over a minute, worst replica.',
    metric: 'cpu_percent',
    kind: 'threshold',
    params: { op: '>=', warn: 80, warnSeverity: 'medium', alert: 90, windowSeconds: MINUTE },
    severity: 'high',
    forSeconds: 5 * MINUTE,
  },
  {
    builtin: 'memory',
    name: 'Memory usage',
    description: 'Runbook: memory below 85% (warning), alert at 95%.',
    metric: 'memory_percent',
    kind: 'threshold',
    params: { op: '>=', warn: 85, warnSeverity: 'medium', alert: 95, windowSeconds: MINUTE },
    severity: 'high',
    forSeconds: 5 * MINUTE,
  },
  {
    builtin: 'disk',
    name: 'Disk usage',
    description: 'Runbook: disk below 80% (warning), alert at 90% (of the data volume).',
    metric: 'disk_percent',
    kind: 'threshold',
    params: { op: '>=', warn: 80, warnSeverity: 'medium', alert: 90, windowSeconds: MINUTE },
    severity: 'critical',
    forSeconds: MINUTE,
  },
  {
    builtin: 'response-time',
    name: 'Response time (p95)',
    description: 'Runbook: response time below 2000 ms (warning), alert at 3000 ms; p95 of all requests.',
    metric: 'response_time_p95_ms',
    kind: 'threshold',
    params: { op: '>=', warn: 2000, warnSeverity: 'medium', alert: 3000, windowSeconds: MINUTE },
    severity: 'high',
    forSeconds: 5 * MINUTE,
  },
  {
    builtin: 'error-rate',
    name: 'Error rate',
    description: 'Runbook: error rate (5xx share) below 1% (warning), alert at 5%.',
    metric: 'error_rate',
    kind: 'threshold',
    params: { op: '>=', warn: 1, warnSeverity: 'medium', alert: 5, windowSeconds: MINUTE },
    severity: 'critical',
    forSeconds: 2 * MINUTE,
  },
  {
    builtin: 'uptime',
    name: 'Uptime (24 h)',
    description: 'Runbook: uptime above 99.9% (warning), alert below 99.5%; time not sampled counts as down.',
    metric: 'uptime_percent',
    kind: 'threshold',
    params: { op: '<', warn: 99.9, warnSeverity: 'medium', alert: 99.5, windowSeconds: 24 * 60 * MINUTE },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'active-users-drop',
    name: 'Active users drop',
    description: 'Runbook: active users down 50% or more against the same time a week earlier.',
    metric: 'active_users',
    kind: 'change',
    params: {
      direction: 'drop',
      percent: 50,
      compareSeconds: 7 * 24 * 60 * MINUTE,
      windowSeconds: 5 * MINUTE,
    },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'conversion-rate',
    name: 'Conversion rate',
    description: 'Runbook: conversion rate (orders per storefront session, last 24 h) below 2%.',
    metric: 'conversion_rate',
    kind: 'threshold',
    params: { op: '<', alert: 2, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'medium',
    forSeconds: 0,
  },
  {
    builtin: 'revenue-deviation',
    name: 'Revenue per hour deviation',
    description:
      'Runbook: last complete hour’s revenue more than 2σ from the same hour-of-week over 8 weeks.',
    metric: 'revenue_per_hour',
    kind: 'deviation',
    params: { sigma: 2, weeks: 8, bucketSeconds: 3600 },
    severity: 'medium',
    forSeconds: 0,
  },
  {
    builtin: 'critical-inventory',
    name: 'Critical inventory items',
    description: 'Runbook: any SKU × location below safety stock or running out within its lead time.',
    metric: 'critical_inventory_items',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'medium',
    forSeconds: 0,
  },
  {
    builtin: 'api-success-rate',
    name: 'API success rate',
    description: 'Runbook: share of API responses that are not 5xx below 99%.',
    metric: 'api_success_rate',
    kind: 'threshold',
    params: { op: '<', alert: 99, windowSeconds: 5 * MINUTE },
    severity: 'high',
    forSeconds: 5 * MINUTE,
  },
  {
    builtin: 'deployment-regression',
    name: 'Deployment regression',
    description:
      'Runbook: the current release raised the error rate or p95 response time after its deploy; roll back to the release its deployment names (GET /api/deployments).',
    metric: 'deployment_regressions',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'incident-response-sla',
    name: 'Incident response SLA',
    description:
      'Runbook: an incident is acknowledged by its lead within 15 min (P0), 1 h (P1), 4 h (P2) or 24 h (P3).',
    metric: 'incidents_response_overdue',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'postmortem-actions-overdue',
    name: 'Post-mortem action items overdue',
    description:
      'Runbook: post-mortem action items are done by their due date; open ones past it are listed in each post-mortem (GET /api/incidents/:id/postmortem).',
    metric: 'postmortem_actions_overdue',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'medium',
    forSeconds: 0,
  },
  {
    builtin: 'security-steps-overdue',
    name: 'Security incident steps overdue',
    description:
      'Runbook: data-breach steps are done within 1 h, 24 h and 72 h of detection (GDPR notification within 72 h); see the security incident’s checklist.',
    metric: 'security_steps_overdue',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'backup-rpo',
    name: 'Backup older than the RPO objective',
    description:
      'Runbook: the newest verified backup is at most RPO_OBJECTIVE (default 1 h) old; the metric is the seconds past it. Check the backups.create job and `sentia backup:list`; BACKUP_INTERVAL sets frequent backups.',
    metric: 'backup_rpo_excess_seconds',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'backup-drill-failed',
    name: 'Recovery drill failed',
    description:
      'Runbook: the latest recovery drill could not restore the newest backup into a usable database; see its error in GET /api/backups/drills and run `sentia backup:drill` again once fixed.',
    metric: 'backup_drill_failed',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'high',
    forSeconds: 0,
  },
  {
    builtin: 'backup-drill-rto',
    name: 'Recovery drill slower than the RTO objective',
    description:
      'Runbook: a restore gives a usable database within RTO_OBJECTIVE (default 4 h); the latest drill measured longer (the metric is the seconds past it).',
    metric: 'backup_drill_rto_excess_seconds',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: 5 * MINUTE, reduce: 'last' },
    severity: 'medium',
    forSeconds: 0,
  },
  {
    builtin: 'database-down',
    name: 'Database down',
    description:
      'Runbook: the database answers. Recorded by the app, not read from stored metrics: a process that cannot reach the database keeps the outage in memory and records it once it can write again, firing from the first failed check and resolved at the first good one; the value is the outage in seconds, judged against these levels. Check the database server, its disk and connections (GET /health).',
    metric: 'database_down_seconds',
    kind: 'threshold',
    params: { op: '>', alert: 0, windowSeconds: MINUTE, reduce: 'max' },
    severity: 'critical',
    forSeconds: 0,
  },
]

/** Built-in rules whose alerts the app records itself (`database-down.ts`); evaluations skip them. */
export const RECORDED_RULES = new Set(['database-down'])

/**
 * Who an escalation step notifies: `slack` and `email` (the default channels), `channel:<name>`,
 * `oncall` / `oncall:secondary` (the default schedule's person now), `role:<role>` (the runbook's
 * escalation contacts).
 */
export type EscalationTarget = string

export interface EscalationStep {
  afterMinutes: number
  notify: EscalationTarget[]
}

/** The runbook's escalation matrix. */
export const DEFAULT_POLICIES: Record<AlertSeverity, EscalationStep[]> = {
  critical: [
    { afterMinutes: 0, notify: ['oncall', 'slack'] },
    { afterMinutes: 15, notify: ['role:engineering_lead'] },
    { afterMinutes: 30, notify: ['role:cto'] },
    { afterMinutes: 60, notify: ['role:ceo'] },
  ],
  high: [
    { afterMinutes: 0, notify: ['slack', 'email'] },
    { afterMinutes: 15, notify: ['oncall'] },
    { afterMinutes: 30, notify: ['role:engineering_lead'] },
  ],
  medium: [
    { afterMinutes: 0, notify: ['slack'] },
    { afterMinutes: 15, notify: ['email'] },
  ],
  low: [{ afterMinutes: 0, notify: ['email'] }],
}

export const ESCALATION_ROLES = ['engineering_lead', 'vp_engineering', 'cto', 'ceo'] as const

export function isEscalationTarget(target: string): boolean {
  if (target === 'slack' || target === 'email' || target === 'oncall' || target === 'oncall:secondary')
    return true
  if (target.startsWith('role:')) return (ESCALATION_ROLES as readonly string[]).includes(target.slice(5))
  return /^channel:[a-z0-9][a-z0-9_-]{0,62}$/.test(target)
}
