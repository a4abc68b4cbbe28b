/** The shapes of the APIs the /ops page reads (see each module's schemas.ts on the server). */

export type Severity = 'critical' | 'high' | 'medium' | 'low'
export type TileState = 'ok' | 'warning' | 'alert' | 'no-data' | 'no-rule'

/** GET /api/ops/tiles */
export interface Tile {
  name: string
  unit: string
  description: string
  kind: 'system' | 'business'
  value: number | null
  valueAt: string | null
  valueSeconds: number
  sparkline: { stepSeconds: number; points: { at: string; value: number }[] }
  rules: {
    id: string
    name: string
    kind: 'threshold' | 'change' | 'deviation' | 'absence'
    severity: Severity
    levels: { op: '>' | '>=' | '<' | '<='; alert: number; warn: number | null } | null
    condition: string
  }[]
  state: TileState
  alerts: { id: string; state: 'pending' | 'firing'; severity: Severity }[]
}

export interface Tiles {
  at: string
  items: Tile[]
}

/** GET /api/alerts */
export interface Alert {
  id: string
  ruleId: string
  ruleName: string
  metric: string
  labels: Record<string, string>
  state: 'pending' | 'firing' | 'resolved'
  severity: Severity
  value: number | null
  summary: string
  pendingSince: string
  firedAt: string | null
  resolvedAt: string | null
  acknowledgedAt: string | null
  acknowledgedBy: string | null
  ackNote: string | null
  silencedBy: string | null
  inMaintenance: boolean
  stepsDone: number
}

export interface TimelineEvent {
  id: string
  at: string
  kind: string
  detail: Record<string, unknown>
}

/** GET /api/alerts/:id */
export interface AlertDetail extends Alert {
  timeline: TimelineEvent[]
}

/** GET /api/silences */
export interface Silence {
  id: string
  ruleId: string | null
  alertId: string | null
  reason: string
  createdBy: string
  startsAt: string
  endsAt: string | null
  active: boolean
}

/** GET /api/escalation-policies */
export interface Policy {
  severity: Severity
  steps: { afterMinutes: number; notify: string[] }[]
}

/** The on-call contacts directory. */
export interface Contact {
  id: string
  name: string
  kind: 'person' | 'vendor'
  email: string | null
  slack: string | null
  phone: string | null
  organisation: string | null
  notes: string | null
}

/** GET /api/oncall/now */
export interface OnCallNow {
  at: string
  schedule: { id: string; name: string; timezone: string }
  primary: Contact | null
  secondary: Contact | null
  primaryUntil: string | null
  secondaryUntil: string | null
}

/** GET /api/oncall/roles */
export interface RoleAssignment {
  role: 'engineering_lead' | 'vp_engineering' | 'cto' | 'ceo'
  contact: Contact | null
}

export interface ChannelStats {
  sent24h: number
  failed24h: number
  successRate: number | null
  lastError: string | null
  lastErrorAt: string | null
  lastSentAt: string | null
  pending: number
  dead: number
}

/** GET /api/notifications/channels */
export interface Channels {
  items: {
    name: string
    kind: 'slack' | 'webhook' | 'email'
    destination: string
    enabled: boolean
    origin: 'environment' | 'stored'
    stats: ChannelStats | null
  }[]
  direct: (ChannelStats & { channel: string; kind: 'slack' | 'webhook' | 'email' })[]
}

/** GET /api/notifications/messages */
export interface Message {
  id: string
  target: { kind: string; channel: string | null; destination: string | null }
  title: string
  severity: Severity | 'info' | null
  source: string | null
  status: 'pending' | 'sending' | 'sent' | 'dead'
  attempts: number
  lastError: string | null
  lastErrorAt: string | null
  createdAt: string
  deadAt: string | null
}

/** GET /api/errors */
export interface ErrorGroup {
  id: string
  type: string
  message: string
  source: 'server' | 'web' | 'job'
  count: number
  firstSeen: string
  lastSeen: string
  lastRelease: string | null
  route: string | null
}

/** GET /api/maintenance/occurrences */
export interface Occurrence {
  windowId: string
  title: string
  start: string
  end: string
  readOnly: boolean
  timezone: string
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}
