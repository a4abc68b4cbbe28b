import type { ColumnType, Generated } from 'kysely'

/** Table types for Kysely. Each module adds its tables here when its migration lands. */

type Timestamp = ColumnType<Date, Date | string, Date | string>
/** A timestamp with a database default: optional on insert. */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>

export interface InstancesTable {
  id: string
  hostname: string
  pid: number
  role: string
  version: string
  commit: string
  started_at: Timestamp
  last_seen_at: Timestamp
  stopped_at: Timestamp | null
}

export interface AuditLogsTable {
  id: Generated<string>
  created_at: DefaultTimestamp
  actor_type: 'user' | 'apikey' | 'system'
  actor_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  ip: string | null
  user_agent: string | null
  request_id: string | null
  old_values: unknown | null
  new_values: unknown | null
}

export interface ApiKeysTable {
  id: string
  name: string
  role: 'viewer' | 'operator' | 'manager' | 'admin'
  prefix: string
  key_hash: string
  created_by: string | null
  created_at: DefaultTimestamp
  last_used_at: Timestamp | null
  expires_at: Timestamp | null
  revoked_at: Timestamp | null
  replaced_by: string | null
}

export interface SecurityEventsTable {
  id: Generated<string>
  created_at: DefaultTimestamp
  kind: string
  ip: string | null
  method: string | null
  route: string | null
  url: string | null
  pattern: string | null
  sample: string | null
  request_id: string | null
  user_agent: string | null
  /** The account a failed sign-in was for, when there is one. */
  subject: string | null
}

export interface IpBlocksTable {
  id: string
  cidr: string
  reason: string | null
  source: 'manual' | 'automatic'
  created_by: string | null
  created_at: DefaultTimestamp
  expires_at: Timestamp | null
  removed_at: Timestamp | null
  removed_by: string | null
}

export interface UsersTable {
  id: string
  name: string
  email: string
  email_verified: ColumnType<boolean, boolean | undefined, boolean>
  image: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
  two_factor_enabled: ColumnType<boolean, boolean | undefined, boolean>
  role: 'viewer' | 'operator' | 'manager' | 'admin'
  disabled: ColumnType<boolean, boolean | undefined, boolean>
  demo: ColumnType<boolean, boolean | undefined, boolean>
  failed_sign_ins: ColumnType<number, number | undefined, number>
  first_failed_at: Timestamp | null
  locked_until: Timestamp | null
}

export interface SessionsTable {
  id: string
  user_id: string
  token: string
  expires_at: Timestamp
  ip_address: string | null
  user_agent: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface AccountsTable {
  id: string
  user_id: string
  account_id: string
  provider_id: string
  password: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface VerificationsTable {
  id: string
  identifier: string
  value: string
  expires_at: Timestamp
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface SettingsTable {
  key: string
  value: unknown
  updated_at: DefaultTimestamp
  updated_by: string | null
}

export interface InvitationsTable {
  id: string
  email: string
  role: 'viewer' | 'operator' | 'manager' | 'admin'
  token_hash: string
  invited_by: string
  created_at: DefaultTimestamp
  expires_at: Timestamp
  accepted_at: Timestamp | null
  user_id: string | null
  revoked_at: Timestamp | null
}

export interface Tables {
  instances: InstancesTable
  audit_logs: AuditLogsTable
  api_keys: ApiKeysTable
  security_events: SecurityEventsTable
  ip_blocks: IpBlocksTable
  users: UsersTable
  sessions: SessionsTable
  accounts: AccountsTable
  verifications: VerificationsTable
  settings: SettingsTable
  invitations: InvitationsTable
}

export type { Generated }
