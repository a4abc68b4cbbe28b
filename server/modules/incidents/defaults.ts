import type { IncidentSeverity, IncidentStatus } from '../../platform/db/schema.ts'
import type { EscalationStep } from '../alerting/defaults.ts'

/** The runbook's incident classification, internal escalation and data-breach response. */

export const SEVERITIES: IncidentSeverity[] = ['P0', 'P1', 'P2', 'P3']

export const STATUSES: IncidentStatus[] = [
  'investigating',
  'identified',
  'mitigating',
  'monitoring',
  'resolved',
]

export interface SeverityDefinition {
  name: string
  /** Acknowledged by the lead within this many minutes, or the response SLA is breached. */
  responseMinutes: number
  examples: string[]
}

export const SEVERITY_DEFINITIONS: Record<IncidentSeverity, SeverityDefinition> = {
  P0: {
    name: 'Critical',
    responseMinutes: 15,
    examples: [
      'Complete system outage',
      'Data loss or corruption',
      'Security breach',
      'Revenue-impacting issues',
    ],
  },
  P1: {
    name: 'High',
    responseMinutes: 60,
    examples: ['Significant performance degradation', 'Feature completely broken', 'High error rates (>10%)'],
  },
  P2: {
    name: 'Medium',
    responseMinutes: 240,
    examples: ['Minor performance issues', 'Non-critical feature broken', 'Elevated error rates (5-10%)'],
  },
  P3: {
    name: 'Low',
    responseMinutes: 1440,
    examples: ['Minor bugs', 'UI/UX issues', 'Documentation errors'],
  },
}

/** A post-mortem is required once these are resolved. */
export const POSTMORTEM_SEVERITIES: IncidentSeverity[] = ['P0', 'P1']

/**
 * The runbook's internal escalation while the lead has not acknowledged: engineering lead at
 * 15 minutes, VP engineering at 30, CTO at 1 hour, CEO at 2 hours (P0 only). P2 and P3 have
 * hours to be answered, so their escalation starts when the response time has passed.
 */
export const DEFAULT_INCIDENT_POLICIES: Record<IncidentSeverity, EscalationStep[]> = {
  P0: [
    { afterMinutes: 0, notify: ['oncall', 'slack'] },
    { afterMinutes: 15, notify: ['role:engineering_lead'] },
    { afterMinutes: 30, notify: ['role:vp_engineering'] },
    { afterMinutes: 60, notify: ['role:cto'] },
    { afterMinutes: 120, notify: ['role:ceo'] },
  ],
  P1: [
    { afterMinutes: 0, notify: ['oncall', 'slack'] },
    { afterMinutes: 15, notify: ['role:engineering_lead'] },
    { afterMinutes: 30, notify: ['role:vp_engineering'] },
    { afterMinutes: 60, notify: ['role:cto'] },
  ],
  P2: [
    { afterMinutes: 0, notify: ['slack'] },
    { afterMinutes: 240, notify: ['role:engineering_lead'] },
  ],
  P3: [
    { afterMinutes: 0, notify: ['email'] },
    { afterMinutes: 1440, notify: ['role:engineering_lead'] },
  ],
}

export interface ChecklistStep {
  key: string
  phase: '1h' | '24h' | '72h'
  /** Due this many minutes after detection. */
  dueMinutes: number
  title: string
}

const phase = (name: ChecklistStep['phase'], dueMinutes: number, steps: [string, string][]) =>
  steps.map(([key, title]): ChecklistStep => ({ key, phase: name, dueMinutes, title }))

/** The runbook's data-breach response: each step due from the time the breach was detected. */
export const SECURITY_CHECKLIST: ChecklistStep[] = [
  ...phase('1h', 60, [
    ['contain', 'Contain the breach'],
    ['assess-scope', 'Assess scope of compromised data'],
    ['document', 'Document everything'],
    ['notify-legal-leadership', 'Notify legal team and leadership'],
  ]),
  ...phase('24h', 24 * 60, [
    ['prepare-notification', 'Prepare breach notification (if PII affected)'],
    ['legal-counsel', 'Coordinate with legal counsel'],
    ['customer-communications', 'Prepare customer communications'],
    ['additional-measures', 'Implement additional security measures'],
  ]),
  ...phase('72h', 72 * 60, [
    ['regulatory-notifications', 'Submit required breach notifications (GDPR, etc.)'],
    ['forensics', 'Conduct forensic analysis'],
    ['permanent-fixes', 'Implement permanent fixes'],
    ['policy-updates', 'Update security policies'],
  ]),
]
