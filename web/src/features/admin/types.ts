import type { Role } from '../../app/session.ts'

/** Shapes of the admin APIs' answers (server/modules/auth, apikeys, audit, security). */

export const ROLES: Role[] = ['viewer', 'operator', 'manager', 'admin']

export interface User {
  id: string
  email: string
  name: string
  role: Role
  disabled: boolean
  demo: boolean
  twoFactorEnabled: boolean
  lockedUntil: string | null
  createdAt: string
}

export interface Invitation {
  id: string
  email: string
  role: Role
  invitedBy: string
  status: 'open' | 'accepted' | 'revoked' | 'expired'
  createdAt: string
  expiresAt: string
  acceptedAt: string | null
  userId: string | null
}

export interface ApiKey {
  id: string
  name: string
  role: Role
  prefix: string
  createdBy: string | null
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  replacedBy: string | null
  state: 'active' | 'expiring' | 'expired' | 'revoked'
}

export interface AuditEntry {
  id: string
  createdAt: string
  actorType: string
  actorId: string | null
  action: string
  targetType: string | null
  targetId: string | null
  ip: string | null
  userAgent: string | null
  requestId: string | null
  oldValues: unknown
  newValues: unknown
}

export interface IpBlock {
  id: string
  cidr: string
  reason: string | null
  source: 'manual' | 'automatic'
  createdBy: string | null
  createdAt: string
  expiresAt: string | null
  removedAt: string | null
  active: boolean
}

export interface SecurityEventsPage {
  items: {
    id: string
    createdAt: string
    kind: string
    ip: string | null
    method: string | null
    route: string | null
    subject: string | null
  }[]
  nextCursor: string | null
  countsLast24h: Record<string, number>
}

/** The actions `GET /api/audit-logs?action=` accepts (AUDIT_ACTIONS in server/modules/audit/service.ts). */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'password_change',
  'privilege_escalation',
  'role_change',
  'user_create',
  'user_disable',
  'user_enable',
  'user_unlock',
  'user_invite',
  'user_invite_revoke',
  'apikey_create',
  'apikey_rotate',
  'apikey_revoke',
  'ip_block',
  'ip_unblock',
  'settings_change',
  'log_level_change',
  'catalog_create',
  'catalog_update',
  'connector_breaker',
  'data_import',
  'notification_channel_create',
  'notification_channel_update',
  'notification_channel_delete',
  'notification_test',
  'notification_retry',
  'alert_rule_create',
  'alert_rule_update',
  'alert_rule_delete',
  'alert_acknowledge',
  'alert_silence',
  'alert_silence_cancel',
  'escalation_policy_change',
  'oncall_create',
  'oncall_update',
  'oncall_delete',
  'maintenance_create',
  'maintenance_update',
  'maintenance_cancel',
  'incident_create',
  'incident_update',
  'incident_acknowledge',
  'incident_message',
  'incident_policy_change',
  'postmortem_update',
  'deployment_record',
  'deployment_update',
  'backup_create',
  'backup_verify',
  'backup_restore',
  'backup_delete',
  'backup_drill',
] as const
