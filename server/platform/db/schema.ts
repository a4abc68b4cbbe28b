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

/** numeric columns arrive as strings (exact); write numbers or strings. */
type Numeric = ColumnType<string, number | string, number | string>
type DefaultNumeric = ColumnType<string, number | string | undefined, number | string>
type DefaultInt = ColumnType<number, number | undefined, number>
/** date columns (no time of day), read as 'YYYY-MM-DD'. */
type Day = ColumnType<string, Date | string, Date | string>

export interface MarketsTable {
  code: string
  name: string
  currency: string
  tax_rate: Numeric
  shipping_days: number
}

export interface ChannelsTable {
  code: string
  name: string
  kind: 'shopify' | 'amazon' | 'wholesale' | 'other'
  market_code: string
  location_code: string
  fee_pct: Numeric
  payout_days: number
}

export interface ProductsTable {
  sku: string
  name: string
  kind: 'finished' | 'component'
  unit: ColumnType<string, string | undefined, string>
  unit_cost: Numeric
  lead_time_days: number
  moq: DefaultInt
  batch_size: DefaultInt
  service_level: DefaultNumeric
  active: ColumnType<boolean, boolean | undefined, boolean>
  created_at: DefaultTimestamp
}

export interface ProductPricesTable {
  sku: string
  market_code: string
  price: Numeric
}

export interface LocationsTable {
  code: string
  name: string
  kind: 'warehouse' | 'factory' | 'fulfilment'
}

export interface SuppliersTable {
  id: string
  name: string
  email: string | null
  currency: string
  lead_time_days: number
  payment_days: DefaultInt
}

export interface BomLinesTable {
  product_sku: string
  component_sku: string
  quantity: Numeric
}

export type MovementKind =
  | 'receipt'
  | 'production_output'
  | 'consumption'
  | 'sale'
  | 'transfer_out'
  | 'transfer_in'
  | 'adjustment'
  | 'return'

export interface StockMovementsTable {
  id: Generated<string>
  occurred_at: Timestamp
  created_at: DefaultTimestamp
  kind: MovementKind
  sku: string
  location_code: string
  quantity: number
  lot: string | null
  expires_on: Day | null
  reference_type: string | null
  reference_id: string | null
  note: string | null
  actor: string
}

/** Net movement per UTC day × SKU × location × kind (migration 0011), kept by the ledger. */
export interface StockDailyTable {
  day: Day
  sku: string
  location_code: string
  kind: MovementKind
  quantity: number
}

export interface StockLevelsTable {
  sku: string
  location_code: string
  on_hand: DefaultInt
  reserved: DefaultInt
  updated_at: DefaultTimestamp
}

export interface PurchaseOrdersTable {
  id: string
  supplier_id: string
  location_code: string
  status: 'ordered' | 'received' | 'cancelled'
  currency: string
  ordered_at: Timestamp
  expected_at: Timestamp
  received_at: Timestamp | null
}

export interface PurchaseOrderLinesTable {
  purchase_order_id: string
  sku: string
  quantity: number
  unit_cost: Numeric
}

export interface ProductionLinesTable {
  code: string
  name: string
  ideal_rate_per_hour: Numeric
}

export interface ProductionBatchesTable {
  id: string
  line_code: string
  sku: string
  location_code: string
  lot: string
  status: 'planned' | 'running' | 'completed' | 'cancelled'
  planned_quantity: number
  good_count: DefaultInt
  rejected_count: DefaultInt
  planned_start: Timestamp
  planned_end: Timestamp
  started_at: Timestamp | null
  ended_at: Timestamp | null
  /** False for a batch booked from another system's records: its output counts, not its OEE. */
  measured: ColumnType<boolean, boolean | undefined, boolean>
}

export interface ProductionDowntimeTable {
  id: Generated<string>
  batch_id: string
  reason: string
  minutes: number
  started_at: Timestamp
}

export interface FxRatesTable {
  currency: string
  day: Day
  rate: Numeric
}

export interface CustomersTable {
  id: string
  name: string
  email: string | null
  market_code: string | null
}

export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'cancelled' | 'refunded'
export type OrderSource = 'api' | 'shopify' | 'amazon' | 'wholesale' | 'csv' | 'demo'

export interface OrdersTable {
  id: string
  source: OrderSource
  external_id: string | null
  channel_code: string
  market_code: string
  customer_id: string | null
  currency: string
  status: OrderStatus
  placed_at: Timestamp
  subtotal: Numeric
  tax: Numeric
  shipping: Numeric
  total: Numeric
  fx_rate: Numeric
  total_base: Numeric
  location_code: string
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

/** One status change of an order after it was booked (migration 0012); the booking writes none. */
export interface OrderStatusHistoryTable {
  id: Generated<string>
  order_id: string
  from_status: OrderStatus
  to_status: OrderStatus
  at: Timestamp
  actor_type: 'user' | 'apikey' | 'system'
  actor_id: string | null
  reason: string | null
}

export interface OrderLinesTable {
  order_id: string
  line_no: number
  sku: string
  quantity: number
  unit_price: Numeric
  unit_cost: Numeric
}

export interface StockReservationsTable {
  order_id: string
  sku: string
  location_code: string
  quantity: number
}

export interface IdempotencyKeysTable {
  scope: string
  key: string
  request_hash: string
  status_code: number
  response: unknown
  created_at: DefaultTimestamp
}

export interface WebhookDeliveriesTable {
  source: string
  delivery_id: string
  topic: string
  received_at: DefaultTimestamp
}

export interface StorefrontSessionsTable {
  channel_code: string
  hour: Timestamp
  visits: number
}

export interface ReceivablesTable {
  id: string
  counterparty: string
  reference: string
  currency: string
  amount: Numeric
  amount_base: Numeric
  issued_on: Day
  due_on: Day
  paid_on: Day | null
}

export interface PayablesTable {
  id: string
  supplier_id: string | null
  reference: string
  currency: string
  amount: Numeric
  amount_base: Numeric
  issued_on: Day
  due_on: Day
  paid_on: Day | null
}

export interface SalesRollupRow {
  channel_code: string
  market_code: string
  sku: string
  orders: DefaultInt
  units: DefaultInt
  revenue_base: DefaultNumeric
  cost_base: DefaultNumeric
}

export interface SalesHourlyTable extends SalesRollupRow {
  hour: Timestamp
}

export interface SalesDailyTable extends SalesRollupRow {
  day: Day
}

export interface OrderTotalsHourlyTable {
  hour: Timestamp
  channel_code: string
  market_code: string
  orders: DefaultInt
  revenue_base: DefaultNumeric
}

export type SyncOutcome = 'ok' | 'failed' | 'skipped'
export type SyncTrigger = 'schedule' | 'manual' | 'cli'

export interface ConnectorStateTable {
  name: string
  cursor: string | null
  /** Set while a run holds the lease; a lease older than the run limit is taken over. */
  running_since: Timestamp | null
  last_started_at: Timestamp | null
  last_finished_at: Timestamp | null
  last_trigger: SyncTrigger | null
  last_outcome: SyncOutcome | null
  /** Why the last run failed or was skipped. */
  last_message: string | null
  last_notes: ColumnType<string[], string | undefined, string>
  last_fetched: DefaultInt
  last_written: DefaultInt
  last_skipped: DefaultInt
  last_success_at: Timestamp | null
  breaker_state: ColumnType<'closed' | 'open' | 'halfOpen', 'closed' | 'open' | 'halfOpen' | undefined>
  breaker_since: Timestamp | null
  forced_open: ColumnType<boolean, boolean | undefined, boolean>
  forced_by: string | null
  forced_at: Timestamp | null
  updated_at: DefaultTimestamp
}

/** Admin-created notification channels (migration 0014); the environment's are not stored. */
export interface NotificationChannelsTable {
  name: string
  kind: 'slack' | 'webhook' | 'email'
  /** A URL (slack, webhook) or comma-separated addresses (email); a Slack URL is a credential. */
  destination: string
  /** Webhook HMAC secret; never returned by the API nor logged. */
  secret: string | null
  enabled: ColumnType<boolean, boolean | undefined, boolean>
  created_by: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface NotificationOutboxTable {
  id: Generated<string>
  idempotency_key: string
  /** The channel's name when sent through one; else `destination` holds the direct target. */
  channel: string | null
  target_kind: 'slack' | 'webhook' | 'email'
  destination: string | null
  title: string
  /** `{text, severity, fields, link, mention}` as JSON. */
  content: unknown
  source: string | null
  status: ColumnType<
    'pending' | 'sending' | 'sent' | 'dead',
    'pending' | 'sending' | 'sent' | 'dead' | undefined,
    'pending' | 'sending' | 'sent' | 'dead'
  >
  attempts: DefaultInt
  next_attempt_at: Timestamp
  /** The lease of the process sending it (status `sending`); an expired lease makes it due again. */
  locked_until: Timestamp | null
  lease_id: string | null
  last_error: string | null
  last_error_at: Timestamp | null
  created_at: Timestamp
  sent_at: Timestamp | null
  dead_at: Timestamp | null
}

export interface NotificationAttemptsTable {
  id: Generated<string>
  message_id: string
  channel: string | null
  target_kind: 'slack' | 'webhook' | 'email'
  attempt: number
  attempted_at: Timestamp
  outcome: 'sent' | 'failed'
  error: string | null
  duration_ms: number
}

/** A raw metric sample (migration 0013); cluster-wide series have instance_id '*'. */
export interface MetricSamplesTable {
  name: string
  instance_id: string
  at: Timestamp
  value: number
}

/** A metric rollup bucket (metric_minutes, metric_hours, metric_days): one row per name, bucket and replica. */
export interface MetricRollupTable {
  name: string
  instance_id: string
  bucket: Timestamp
  count: number
  sum: number
  min: number
  max: number
  first_at: Timestamp
  last_at: Timestamp
}

/** Which minute a cluster-wide metric was last claimed for, and by which replica. */
export interface MetricClaimsTable {
  name: string
  minute: Timestamp
  instance_id: string
}

export interface ImportRunsTable {
  id: string
  type: 'orders' | 'products' | 'stock' | 'sessions'
  file_name: string | null
  status: 'running' | 'succeeded' | 'partial' | 'failed'
  actor_type: 'user' | 'apikey' | 'system'
  actor_id: string | null
  started_at: Timestamp
  finished_at: Timestamp | null
  rows_read: DefaultInt
  created: DefaultInt
  updated: DefaultInt
  skipped: DefaultInt
  failed: DefaultInt
  report: unknown | null
}

export type AlertSeverity = 'critical' | 'high' | 'medium' | 'low'

export interface AlertRulesTable {
  id: Generated<string>
  name: string
  description: ColumnType<string, string | undefined, string>
  metric: string
  kind: 'threshold' | 'change' | 'deviation' | 'absence'
  params: unknown
  severity: AlertSeverity
  for_seconds: number
  labels: ColumnType<Record<string, string>, string | undefined, string>
  enabled: ColumnType<boolean, boolean | undefined, boolean>
  builtin: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface AlertsTable {
  id: Generated<string>
  rule_id: string
  fingerprint: string
  labels: ColumnType<Record<string, string>, string | undefined, string>
  state: 'pending' | 'firing' | 'resolved'
  severity: AlertSeverity
  value: number | null
  summary: string
  pending_since: Timestamp
  fired_at: Timestamp | null
  resolved_at: Timestamp | null
  acknowledged_at: Timestamp | null
  acknowledged_by: string | null
  ack_note: string | null
  escalation_anchor_at: Timestamp | null
  silenced_by: string | null
  maintenance_window_id: string | null
  maintenance_ends_at: Timestamp | null
  updated_at: Timestamp
}

export interface AlertStepsTable {
  alert_id: string
  step: number
  done_at: Timestamp
  outcome: 'sent' | 'suppressed'
}

export interface AlertEventsTable {
  id: Generated<string>
  alert_id: string
  at: Timestamp
  kind: string
  detail: ColumnType<Record<string, unknown>, string | undefined, string>
}

export interface EscalationPoliciesTable {
  severity: AlertSeverity
  steps: unknown
  updated_at: DefaultTimestamp
}

export interface AlertSilencesTable {
  id: Generated<string>
  rule_id: string | null
  alert_id: string | null
  labels: ColumnType<Record<string, string>, string | undefined, string>
  reason: string
  created_by: string
  starts_at: Timestamp
  ends_at: Timestamp | null
  cancelled_at: Timestamp | null
  created_at: DefaultTimestamp
}

export interface AlertEvaluatorTable {
  id: number
  started_at: Timestamp | null
  finished_at: Timestamp | null
  owner: string | null
}

export interface MaintenanceSummariesTable {
  window_id: string
  occurrence_end: Timestamp
  sent_at: Timestamp
}

export interface OncallContactsTable {
  id: string
  name: string
  kind: 'person' | 'vendor'
  email: string | null
  slack: string | null
  webhook_url: string | null
  phone: string | null
  organisation: string | null
  notes: string | null
  user_id: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface OncallRolesTable {
  role: 'engineering_lead' | 'vp_engineering' | 'cto' | 'ceo'
  contact_id: string
  updated_at: DefaultTimestamp
  updated_by: string | null
}

export interface OncallSchedulesTable {
  id: string
  name: string
  timezone: string
  is_default: ColumnType<boolean, boolean | undefined, boolean>
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface OncallRotationsTable {
  id: string
  schedule_id: string
  tier: 'primary' | 'secondary'
  shift_days: number
  /** Local "HH:MM" in the schedule's zone. */
  handoff_time: string
  /** A local date, "YYYY-MM-DD" (dates are read as text). */
  start_date: string
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
}

export interface OncallRotationMembersTable {
  rotation_id: string
  position: number
  contact_id: string
}

export interface OncallOverridesTable {
  id: string
  /** Creation order: the latest override covering an instant wins. */
  seq: Generated<string>
  schedule_id: string
  tier: 'primary' | 'secondary'
  contact_id: string
  starts_at: Timestamp
  ends_at: Timestamp
  reason: string | null
  created_at: DefaultTimestamp
  created_by: string | null
}

/** The error tracker (migration 0016): one row per fingerprint, counts per group and hour. */
export interface ErrorGroupsTable {
  id: Generated<string>
  fingerprint: string
  type: string
  message: string
  source: 'server' | 'web' | 'job'
  /** bigint: read as text. */
  count: ColumnType<string, number | undefined, number | string>
  first_seen: Timestamp
  last_seen: Timestamp
  first_release: string | null
  last_release: string | null
  route: string | null
  sample_request_id: string | null
  sample_stack: string | null
}

export interface ErrorHourlyTable {
  group_id: string
  hour: Timestamp
  count: number
}

export interface MaintenanceWindowsTable {
  id: string
  title: string
  description: string | null
  /** IANA name the cron pattern is read in. */
  timezone: string
  read_only: boolean
  /** One-off windows: start and end. */
  starts_at: Timestamp | null
  ends_at: Timestamp | null
  /** Recurring windows: five-field pattern, minutes per occurrence, occurrences start before `recur_until`. */
  cron: string | null
  duration_minutes: number | null
  recur_until: Timestamp | null
  created_by: string | null
  created_at: DefaultTimestamp
  updated_at: DefaultTimestamp
  cancelled_at: Timestamp | null
  cancelled_by: string | null
}

export type IncidentSeverity = 'P0' | 'P1' | 'P2' | 'P3'
export type IncidentStatus = 'investigating' | 'identified' | 'mitigating' | 'monitoring' | 'resolved'

export interface IncidentsTable {
  id: Generated<string>
  title: string
  kind: ColumnType<'standard' | 'security', 'standard' | 'security' | undefined, 'standard' | 'security'>
  severity: IncidentSeverity
  status: IncidentStatus
  impact: ColumnType<string, string | undefined, string>
  lead_user_id: string | null
  participants: ColumnType<string[], string | undefined, string>
  components: ColumnType<string[], string | undefined, string>
  channels: ColumnType<string[], string | undefined, string>
  source: 'manual' | 'api' | 'alert' | 'cli'
  detected_at: Timestamp
  created_at: Timestamp
  created_by: string
  response_due_at: Timestamp
  acknowledged_at: Timestamp | null
  acknowledged_by: string | null
  escalation_anchor_at: Timestamp
  resolved_at: Timestamp | null
  updated_at: Timestamp
}

export interface IncidentEventsTable {
  id: Generated<string>
  incident_id: string
  at: Timestamp
  kind: string
  actor: string | null
  detail: ColumnType<Record<string, unknown>, string | undefined, string>
}

export interface IncidentAlertsTable {
  alert_id: string
  incident_id: string
  attached_at: Timestamp
}

export interface IncidentStepsTable {
  incident_id: string
  step: number
  done_at: Timestamp
}

export interface IncidentPoliciesTable {
  severity: IncidentSeverity
  steps: unknown
  updated_at: DefaultTimestamp
}

export interface IncidentChecklistTable {
  incident_id: string
  key: string
  position: number
  phase: string
  title: string
  due_at: Timestamp
  done_at: Timestamp | null
  done_by: string | null
  note: string | null
}

export interface PostmortemsTable {
  incident_id: string
  summary: ColumnType<string, string | undefined, string>
  impact: ColumnType<string, string | undefined, string>
  timeline: ColumnType<string, string | undefined, string>
  root_cause: ColumnType<string, string | undefined, string>
  went_well: ColumnType<string, string | undefined, string>
  went_badly: ColumnType<string, string | undefined, string>
  status: ColumnType<'draft' | 'published', 'draft' | 'published' | undefined, 'draft' | 'published'>
  created_at: Timestamp
  updated_at: Timestamp
  updated_by: string | null
  published_at: Timestamp | null
}

export interface PostmortemActionsTable {
  id: Generated<string>
  incident_id: string
  title: string
  owner: string
  due_date: ColumnType<string, string, string>
  state: ColumnType<
    'open' | 'done' | 'dropped',
    'open' | 'done' | 'dropped' | undefined,
    'open' | 'done' | 'dropped'
  >
  created_at: Timestamp
  updated_at: Timestamp
  done_at: Timestamp | null
}

export type DeploymentKind = 'deploy' | 'rollback'
export type DeploymentStatus = 'started' | 'succeeded' | 'failed'
export type DeploymentCheckState = 'pending' | 'ok' | 'regressed' | 'insufficient_data' | 'skipped'

export type BackupStatus = 'running' | 'complete' | 'failed'
export type BackupVerifyState = 'unverified' | 'good' | 'corrupt'

export interface BackupsTable {
  id: string
  engine: 'postgres' | 'pglite'
  status: BackupStatus
  started_at: Timestamp
  finished_at: Timestamp | null
  size_bytes: ColumnType<string | null, number | null | undefined, number | null>
  sha256: string | null
  stores: ColumnType<string[], string[] | undefined, string[]>
  manifest: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  verify_state: ColumnType<BackupVerifyState, BackupVerifyState | undefined, BackupVerifyState>
  verified_at: Timestamp | null
  verify_report: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  error: string | null
}

/** A recovery drill: the newest backup restored into a scratch database, checked, dropped. */
export interface BackupDrillsTable {
  id: Generated<string>
  backup_id: string | null
  started_at: Timestamp
  finished_at: Timestamp | null
  outcome: 'passed' | 'failed'
  rto_seconds: number | null
  rpo_seconds: number | null
  report: ColumnType<Record<string, unknown>, string | undefined, string>
  error: string | null
  actor: string
}

export type MaintenanceOutcome = 'ok' | 'failed' | 'skipped'

/** A run of a maintenance or retention job; outcome and finished_at are null while it runs. */
export interface DbMaintenanceRunsTable {
  id: Generated<string>
  job: string
  instance: string
  started_at: Timestamp
  finished_at: Timestamp | null
  duration_ms: number | null
  outcome: MaintenanceOutcome | null
  detail: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  error: string | null
}

export interface DeploymentsTable {
  id: Generated<string>
  environment: string
  version: string
  commit: string | null
  kind: DeploymentKind
  status: DeploymentStatus
  source: 'startup' | 'api' | 'cli'
  started_at: Timestamp
  finished_at: Timestamp | null
  created_by: string
  notes: string | null
  rolls_back_id: string | null
  check_state: ColumnType<DeploymentCheckState, DeploymentCheckState | undefined, DeploymentCheckState>
  checked_at: Timestamp | null
  check_detail: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>
  last_good_id: string | null
  check_claimed_by: string | null
  check_claimed_until: Timestamp | null
  created_at: Timestamp
  updated_at: Timestamp
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
  markets: MarketsTable
  channels: ChannelsTable
  products: ProductsTable
  product_prices: ProductPricesTable
  locations: LocationsTable
  suppliers: SuppliersTable
  bom_lines: BomLinesTable
  stock_movements: StockMovementsTable
  stock_levels: StockLevelsTable
  stock_daily: StockDailyTable
  purchase_orders: PurchaseOrdersTable
  purchase_order_lines: PurchaseOrderLinesTable
  production_lines: ProductionLinesTable
  production_batches: ProductionBatchesTable
  production_downtime: ProductionDowntimeTable
  fx_rates: FxRatesTable
  customers: CustomersTable
  orders: OrdersTable
  order_lines: OrderLinesTable
  order_status_history: OrderStatusHistoryTable
  stock_reservations: StockReservationsTable
  idempotency_keys: IdempotencyKeysTable
  webhook_deliveries: WebhookDeliveriesTable
  storefront_sessions: StorefrontSessionsTable
  receivables: ReceivablesTable
  payables: PayablesTable
  sales_hourly: SalesHourlyTable
  sales_daily: SalesDailyTable
  order_totals_hourly: OrderTotalsHourlyTable
  import_runs: ImportRunsTable
  connector_state: ConnectorStateTable
  metric_samples: MetricSamplesTable
  metric_minutes: MetricRollupTable
  metric_hours: MetricRollupTable
  metric_days: MetricRollupTable
  metric_claims: MetricClaimsTable
  maintenance_windows: MaintenanceWindowsTable
  error_groups: ErrorGroupsTable
  error_hourly: ErrorHourlyTable
  notification_channels: NotificationChannelsTable
  notification_outbox: NotificationOutboxTable
  notification_attempts: NotificationAttemptsTable
  oncall_contacts: OncallContactsTable
  oncall_roles: OncallRolesTable
  oncall_schedules: OncallSchedulesTable
  oncall_rotations: OncallRotationsTable
  oncall_rotation_members: OncallRotationMembersTable
  oncall_overrides: OncallOverridesTable
  alert_rules: AlertRulesTable
  alerts: AlertsTable
  alert_steps: AlertStepsTable
  alert_events: AlertEventsTable
  escalation_policies: EscalationPoliciesTable
  alert_silences: AlertSilencesTable
  alert_evaluator: AlertEvaluatorTable
  maintenance_summaries: MaintenanceSummariesTable
  incidents: IncidentsTable
  incident_events: IncidentEventsTable
  incident_alerts: IncidentAlertsTable
  incident_steps: IncidentStepsTable
  incident_policies: IncidentPoliciesTable
  incident_checklist: IncidentChecklistTable
  postmortems: PostmortemsTable
  postmortem_actions: PostmortemActionsTable
  deployments: DeploymentsTable
  backups: BackupsTable
  backup_drills: BackupDrillsTable
  db_maintenance_runs: DbMaintenanceRunsTable
}

export type { Generated }
