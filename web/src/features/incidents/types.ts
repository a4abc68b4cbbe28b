/** The shapes of the incident APIs (server/modules/incidents/*schemas.ts), copied for the browser. */

export type Severity = 'P0' | 'P1' | 'P2' | 'P3'
export type Status = 'investigating' | 'identified' | 'mitigating' | 'monitoring' | 'resolved'
export type IncidentKind = 'standard' | 'security'
export type SlaState = 'pending' | 'met' | 'breached'
export type PostmortemState = 'missing' | 'draft' | 'published'
export type ListState = 'open' | 'resolved' | 'all'

export const SEVERITIES: Severity[] = ['P0', 'P1', 'P2', 'P3']
export const STATUSES: Status[] = ['investigating', 'identified', 'mitigating', 'monitoring', 'resolved']

/** GET /api/incidents (items), POST and PATCH /api/incidents/:id, POST …/ack */
export interface Incident {
  id: string
  title: string
  kind: IncidentKind
  severity: Severity
  status: Status
  impact: string
  lead: { id: string; name: string; email: string } | null
  participants: string[]
  components: string[]
  channels: string[]
  source: string
  detectedAt: string
  createdAt: string
  createdBy: string
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  resolvedAt: string | null
  updatedAt: string
  durationMinutes: number
  sla: { responseMinutes: number; dueAt: string; state: SlaState }
  postmortem: { required: boolean; status: PostmortemState }
  alertCount: number
}

export interface IncidentsPage {
  items: Incident[]
  nextCursor: string | null
}

export interface TimelineEntry {
  id: string
  at: string
  kind: string
  actor: string | null
  detail: Record<string, unknown>
}

export interface AttachedAlert {
  id: string
  ruleName: string
  severity: string
  state: string
  summary: string
  firedAt: string | null
  attachedAt: string
}

export interface ChecklistStep {
  key: string
  phase: string
  title: string
  dueAt: string
  doneAt: string | null
  doneBy: string | null
  note: string | null
  overdue: boolean
}

/** GET /api/incidents/:id */
export interface IncidentDetail extends Incident {
  timeline: TimelineEntry[]
  alerts: AttachedAlert[]
  checklist: ChecklistStep[]
}

/** GET /api/incidents/severities */
export interface SeverityDefinition {
  severity: Severity
  name: string
  responseMinutes: number
  examples: string[]
}

/** GET /api/incidents/suggested-severity */
export interface Suggestion {
  severity: Severity
  reason: string
  signals: {
    health: string
    downComponents: string[]
    errorRatePercent: number | null
    p95Ms: number | null
    criticalAlertsFiring: number
  }
}

export interface NewIncident {
  title: string
  severity: Severity
  status?: Status
  kind?: IncidentKind
  impact?: string
  lead?: string
  components?: string[]
}

export type IncidentPatch = Partial<{ title: string; severity: Severity; status: Status; impact: string }>

export type Template = 'initial' | 'update' | 'resolution'

/** GET /api/incidents/:id/messages/:template */
export interface MessagePreview {
  template: Template
  title: string
  text: string
  /** The placeholders left in the text for the sender to replace; the API refuses a message holding one. */
  placeholders: string[]
  channels: string[]
}

/** POST /api/incidents/:id/messages (201) */
export interface MessageResult {
  queued: number
  channels: string[]
  unreached: { channel: string; reason: string }[]
}

/** GET /api/notifications/channels (operators and up), only what the channel picker needs. */
export interface ChannelList {
  items: { name: string; kind: string; enabled: boolean }[]
}

export type Section = 'summary' | 'impact' | 'timeline' | 'rootCause' | 'wentWell' | 'wentBadly'
export type ActionState = 'open' | 'done' | 'dropped'
export const ACTION_STATES: ActionState[] = ['open', 'done', 'dropped']

export interface PostmortemAction {
  id: string
  title: string
  owner: string
  /** A calendar day, YYYY-MM-DD (UTC). */
  dueDate: string
  state: ActionState
  /** Open and due before today (UTC). */
  overdue: boolean
  createdAt: string
  updatedAt: string
  doneAt: string | null
}

/** GET /api/incidents/:id/postmortem (404 when the incident has none yet), PUT answers the same. */
export interface Postmortem {
  incidentId: string
  status: 'draft' | 'published'
  required: boolean
  sections: Record<Section, string>
  actions: PostmortemAction[]
  warnings: { phrase: string; message: string; section: Section | 'actions' }[]
  prompts: Partial<Record<Section | 'actions', string>>
  /** What publishing still needs (empty: it can be published). */
  missingToPublish: string[]
  createdAt: string
  updatedAt: string
  updatedBy: string | null
  publishedAt: string | null
}
