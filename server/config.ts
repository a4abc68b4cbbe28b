import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseDotenv } from 'dotenv'
import {
  type AmazonSettings,
  amazonSettings,
  type ShopifyAdminSettings,
  shopifyAdminSettings,
  type UnleashedSettings,
  unleashedSettings,
  type XeroSettings,
  xeroSettings,
} from './config-connectors.ts'
import { ConfigError, type Env, integer, type VariableSpec, variables } from './config-variables.ts'
import type { IncidentSeverity } from './platform/db/schema.ts'

export { ConfigError, packageRoot, variables } from './config-variables.ts'

/**
 * The one place that reads process.env. Every variable is declared once with its parser,
 * default, description and whether it is secret; `loadConfig` parses them all at start and
 * throws a ConfigError naming the first bad variable.
 */

export type AppEnv = 'development' | 'staging' | 'production'
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
export type Role = 'all' | 'api' | 'worker'

type Variables = typeof variables
export type RawConfig = { [K in keyof Variables]: ReturnType<Variables[K]['parse']> }

export interface DatabaseConfig {
  engine: 'postgres' | 'pglite'
  /** Connection string with the runbook's pool parameters removed (postgres only). */
  connectionString?: string
  poolSize: number
  /** `pgbouncer=true`: never send named (prepared) statements. */
  preparedStatements: boolean
  connectionTimeoutMs: number
  /** Embedded engine only: its shared_buffers setting. */
  sharedBuffers: string
}

export interface Config {
  env: AppEnv
  host: string
  port: number
  dataDir: string
  /** The built web app that the server serves. */
  webDir: string
  database: DatabaseConfig
  redisUrl: string | undefined
  logLevel: LogLevel
  version: string
  commit: string
  shutdownTimeoutMs: number
  bodyLimit: number
  /** CSV imports: the largest upload, in bytes. */
  imports: { bodyLimit: number }
  metricsToken: string | undefined
  publicUrl: string
  demoData: 'auto' | 'true' | 'false'
  auth: {
    sessionSecrets: string[]
    sessionIdleMinutes: number
    sessionMaxHours: number
    maxFailures: number
    lockMinutes: number
    requireTwoFactorForAdmins: boolean
    oidc: { issuer: string; clientId: string; clientSecret: string; name: string } | undefined
    admin: { email: string; password: string } | undefined
  }
  trustProxy: boolean | number | string[]
  auditRetentionDays: number
  /** The error tracker: how long a group is kept after it was last seen, and Sentry (unset: off). */
  errors: { retentionDays: number; sentryDsn: string | undefined }
  /** Alert rules: seconds between evaluations (0: this process does not evaluate). */
  alerting: { evaluationSeconds: number }
  /** What a firing critical alert does to incidents. */
  incidents: { autoOpen: 'off' | IncidentSeverity; attachWindowMinutes: number }
  /** The metric sampler (seconds between samples, 0: off) and how long each resolution is kept. */
  monitoring: MonitoringSettings
  /** Release tracking: the regression check after each deployment. */
  deployments: DeploymentCheckSettings
  /** Backups: the local store's directory, the schedule (undefined: off) and the retention policy. */
  backups: BackupSettings
  /** Database maintenance jobs: their schedules (undefined: off) and the REINDEX threshold. */
  dbMaintenance: DbMaintenanceSettings
  /** Idempotency keys older than this are deleted (housekeeping.retention). */
  idempotencyRetentionHours: number
  apiKeyOverlapHours: number
  rateLimit: { perMinute: number; signInPerMinute: number }
  security: {
    blockAttacks: boolean
    autoBlock: { failedLogins: number; windowMinutes: number; durationMinutes: number }
  }
  /** Maintenance windows: how many hours ahead the banner announces one. */
  maintenance: { noticeHours: number }
  /** Shopify's order webhook: its signing secret (unset: not configured) and channels by shop domain. */
  shopify: { webhookSecret: string | undefined; shopChannels: ReadonlyMap<string, string> }
  /** Pull connectors: each section undefined when the connector is not configured. */
  connectors: {
    shopify: ShopifyAdminSettings | undefined
    unleashed: UnleashedSettings | undefined
    amazon: AmazonSettings | undefined
    xero: XeroSettings | undefined
  }
  notifications: NotificationSettings
  /** The S3-compatible bucket backups are copied to; undefined without BACKUP_S3_BUCKET. */
  backupS3: BackupS3Settings | undefined
  /** Values of secret variables, so the logger can redact them wherever they appear. */
  secrets: string[]
}

/** Notification channels from the environment and the outbox's delivery settings. */
export interface NotificationSettings {
  /** The channel `slack` (a credential). */
  slackWebhookUrl: string | undefined
  /** SMTP transport of every email notification (its password is secret). */
  smtpUrl: string | undefined
  smtpFrom: string
  /** Recipients of the channel `email` (with smtpUrl). */
  emailTo: string[]
  /** HMAC key of webhooks without a secret of their own. */
  webhookSecret: string | undefined
  timeoutMs: number
  retryBaseSeconds: number
  retryMaxSeconds: number
  maxAttempts: number
  /** 0: no background delivery loop. */
  pollMs: number
  retentionDays: number
}

export interface BackupSettings {
  dir: string
  /** Cron expression (UTC): BACKUP_INTERVAL's when set, else BACKUP_SCHEDULE; undefined when off. */
  schedule: string | undefined
  keep: { daily: number; weekly: number; monthly: number }
  /** Cron expression (UTC) of the recovery drill; undefined when BACKUP_DRILL_SCHEDULE is off. */
  drillSchedule: string | undefined
  /** RTO_OBJECTIVE and RPO_OBJECTIVE in seconds. */
  objectives: { rtoSeconds: number; rpoSeconds: number }
}

export interface DbMaintenanceSettings {
  /** Cron expressions (UTC); undefined when set to off. */
  analyzeSchedule: string | undefined
  reindexSchedule: string | undefined
  /** Estimated bloat (% of the index's size) over which an index is rebuilt. */
  reindexBloatPercent: number
}

export interface DeploymentCheckSettings {
  windowMinutes: number
  minRequests: number
  /** Percentage points the error rate must rise by, and the factor it must grow by. */
  errorRatePoints: number
  errorRateFactor: number
  /** Factor the p95 response time must grow by, and the milliseconds it must rise by. */
  p95Factor: number
  p95Ms: number
  /** Seconds between checks on this process (0: off). */
  checkSeconds: number
}

export interface MonitoringSettings {
  samplerIntervalSeconds: number
  rawRetentionHours: number
  minuteRetentionDays: number
  hourRetentionDays: number
}

/** Where backups are copied off the machine. No keys: the AWS SDK's default credential chain. */
export interface BackupS3Settings {
  bucket: string
  /** '' or ending in '/'. */
  prefix: string
  /** An S3-compatible service; undefined: AWS S3 in the region. */
  endpoint: string | undefined
  region: string
  accessKeyId: string | undefined
  secretAccessKey: string | undefined
  forcePathStyle: boolean
}

/** Reads `.env` from the working directory; the real environment wins. */
export function readEnv(cwd = process.cwd(), env: Env = process.env): Env {
  let fromFile: Env = {}
  try {
    fromFile = parseDotenv(readFileSync(path.join(cwd, '.env')))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  return { ...fromFile, ...env }
}

export function loadConfig(env: Env = readEnv()): Config {
  const raw = {} as Record<string, unknown>
  for (const [name, spec] of Object.entries(variables) as [string, VariableSpec<unknown>][]) {
    try {
      raw[name] = spec.parse(env[name], env)
    } catch (error) {
      throw new ConfigError(name, (error as Error).message)
    }
  }
  const values = raw as RawConfig
  return {
    env: values.APP_ENV,
    host: values.HOST,
    port: values.PORT,
    dataDir: values.DATA_DIR,
    webDir: values.WEB_DIR,
    database: databaseConfig(
      values.DATABASE_URL,
      values.DATABASE_POOL_TIMEOUT_MS,
      values.EMBEDDED_SHARED_BUFFERS,
    ),
    redisUrl: values.REDIS_URL?.toString(),
    logLevel: values.LOG_LEVEL,
    version: values.APP_VERSION,
    commit: values.GIT_COMMIT,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    bodyLimit: values.BODY_LIMIT_BYTES,
    imports: { bodyLimit: values.IMPORT_BODY_LIMIT_BYTES },
    metricsToken: values.METRICS_TOKEN,
    publicUrl: (
      values.PUBLIC_URL?.origin ??
      `http://${values.HOST.includes(':') ? `[${values.HOST}]` : values.HOST}:${values.PORT}`
    ).replace(/\/$/, ''),
    demoData: values.DEMO_DATA,
    auth: {
      sessionSecrets: values.SESSION_SECRETS,
      sessionIdleMinutes: values.SESSION_IDLE_MINUTES,
      sessionMaxHours: values.SESSION_MAX_HOURS,
      maxFailures: values.LOGIN_MAX_FAILURES,
      lockMinutes: values.LOGIN_LOCK_MINUTES,
      requireTwoFactorForAdmins: values.REQUIRE_2FA_FOR_ADMINS,
      oidc: oidcSettings(
        values.OIDC_ISSUER,
        values.OIDC_CLIENT_ID,
        values.OIDC_CLIENT_SECRET,
        values.OIDC_NAME,
      ),
      admin: adminAccount(values.SENTIA_ADMIN_EMAIL, values.SENTIA_ADMIN_PASSWORD),
    },
    trustProxy: values.TRUST_PROXY,
    auditRetentionDays: values.AUDIT_RETENTION_DAYS,
    errors: { retentionDays: values.ERRORS_RETENTION_DAYS, sentryDsn: values.SENTRY_DSN },
    alerting: { evaluationSeconds: values.ALERT_EVALUATION_SECONDS },
    incidents: {
      autoOpen: values.INCIDENT_AUTO_OPEN,
      attachWindowMinutes: values.INCIDENT_ATTACH_WINDOW_MINUTES,
    },
    monitoring: {
      samplerIntervalSeconds: values.SAMPLER_INTERVAL_SECONDS,
      rawRetentionHours: values.METRICS_RAW_RETENTION_HOURS,
      minuteRetentionDays: values.METRICS_MINUTE_RETENTION_DAYS,
      hourRetentionDays: values.METRICS_HOUR_RETENTION_DAYS,
    },
    deployments: {
      windowMinutes: values.DEPLOY_REGRESSION_WINDOW_MINUTES,
      minRequests: values.DEPLOY_REGRESSION_MIN_REQUESTS,
      errorRatePoints: values.DEPLOY_REGRESSION_ERROR_POINTS,
      errorRateFactor: values.DEPLOY_REGRESSION_ERROR_FACTOR,
      p95Factor: values.DEPLOY_REGRESSION_P95_FACTOR,
      p95Ms: values.DEPLOY_REGRESSION_P95_MS,
      checkSeconds: values.DEPLOY_REGRESSION_CHECK_SECONDS,
    },
    backups: {
      dir: values.BACKUP_DIR,
      schedule: values.BACKUP_INTERVAL ?? values.BACKUP_SCHEDULE,
      keep: {
        daily: values.BACKUP_KEEP_DAILY,
        weekly: values.BACKUP_KEEP_WEEKLY,
        monthly: values.BACKUP_KEEP_MONTHLY,
      },
      drillSchedule: values.BACKUP_DRILL_SCHEDULE,
      objectives: { rtoSeconds: values.RTO_OBJECTIVE, rpoSeconds: values.RPO_OBJECTIVE },
    },
    dbMaintenance: {
      analyzeSchedule: values.DB_ANALYZE_SCHEDULE,
      reindexSchedule: values.DB_REINDEX_SCHEDULE,
      reindexBloatPercent: values.DB_REINDEX_BLOAT_PERCENT,
    },
    idempotencyRetentionHours: values.IDEMPOTENCY_RETENTION_HOURS,
    apiKeyOverlapHours: values.APIKEY_ROTATION_OVERLAP_HOURS,
    rateLimit: {
      perMinute: values.RATE_LIMIT_PER_MINUTE,
      signInPerMinute: values.SIGNIN_RATE_LIMIT_PER_MINUTE,
    },
    security: {
      blockAttacks: values.SECURITY_BLOCK_ATTACKS,
      autoBlock: {
        failedLogins: values.AUTO_BLOCK_FAILED_LOGINS,
        windowMinutes: values.AUTO_BLOCK_WINDOW_MINUTES,
        durationMinutes: values.AUTO_BLOCK_DURATION_MINUTES,
      },
    },
    maintenance: { noticeHours: values.MAINTENANCE_NOTICE_HOURS },
    shopify: { webhookSecret: values.SHOPIFY_WEBHOOK_SECRET, shopChannels: values.SHOPIFY_SHOP_CHANNELS },
    connectors: {
      shopify: shopifyAdminSettings(values),
      unleashed: unleashedSettings(values),
      amazon: amazonSettings(values),
      xero: xeroSettings(values),
    },
    notifications: {
      slackWebhookUrl: values.SLACK_WEBHOOK_URL,
      smtpUrl: values.SMTP_URL,
      smtpFrom: values.SMTP_FROM,
      emailTo: values.NOTIFY_EMAIL_TO,
      webhookSecret: values.NOTIFY_WEBHOOK_SECRET,
      timeoutMs: values.NOTIFY_TIMEOUT_MS,
      retryBaseSeconds: values.NOTIFY_RETRY_BASE_SECONDS,
      retryMaxSeconds: values.NOTIFY_RETRY_MAX_SECONDS,
      maxAttempts: values.NOTIFY_MAX_ATTEMPTS,
      pollMs: values.NOTIFY_POLL_MS,
      retentionDays: values.NOTIFY_RETENTION_DAYS,
    },
    backupS3: backupS3Settings(values),
    secrets: secretValues(env),
  }
}

function oidcSettings(issuer: URL | undefined, clientId: string, clientSecret: string, name: string) {
  const given = [
    issuer ? 'OIDC_ISSUER' : '',
    clientId ? 'OIDC_CLIENT_ID' : '',
    clientSecret ? 'OIDC_CLIENT_SECRET' : '',
  ].filter(Boolean)
  if (given.length === 0) return undefined
  const missing = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'].find((v) => !given.includes(v))
  if (missing) throw new ConfigError(missing, 'is required when any OIDC_ variable is set')
  return { issuer: issuer!.toString().replace(/\/$/, ''), clientId, clientSecret, name }
}

function adminAccount(email: string | undefined, password: string | undefined) {
  if (Boolean(email) !== Boolean(password)) {
    throw new ConfigError(
      email ? 'SENTIA_ADMIN_PASSWORD' : 'SENTIA_ADMIN_EMAIL',
      'set both SENTIA_ADMIN_EMAIL and SENTIA_ADMIN_PASSWORD, or neither',
    )
  }
  return email && password ? { email, password } : undefined
}

function backupS3Settings(values: RawConfig): BackupS3Settings | undefined {
  const accessKeyId = values.BACKUP_S3_ACCESS_KEY_ID
  const secretAccessKey = values.BACKUP_S3_SECRET_ACCESS_KEY
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey))
    throw new ConfigError(
      accessKeyId ? 'BACKUP_S3_SECRET_ACCESS_KEY' : 'BACKUP_S3_ACCESS_KEY_ID',
      'set both BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY, or neither',
    )
  if (!values.BACKUP_S3_BUCKET) {
    if (accessKeyId || values.BACKUP_S3_ENDPOINT)
      throw new ConfigError('BACKUP_S3_BUCKET', 'is required when BACKUP_S3_ENDPOINT or keys are set')
    return undefined
  }
  return {
    bucket: values.BACKUP_S3_BUCKET,
    prefix: values.BACKUP_S3_PREFIX,
    endpoint: values.BACKUP_S3_ENDPOINT,
    region: values.BACKUP_S3_REGION,
    accessKeyId: accessKeyId || undefined,
    secretAccessKey: secretAccessKey || undefined,
    forcePathStyle: values.BACKUP_S3_FORCE_PATH_STYLE,
  }
}

function databaseConfig(
  url: URL | undefined,
  connectionTimeoutMs: number,
  sharedBuffers: string,
): DatabaseConfig {
  if (!url)
    return { engine: 'pglite', poolSize: 1, preparedStatements: false, connectionTimeoutMs, sharedBuffers }
  const stripped = new URL(url)
  const limit = stripped.searchParams.get('connection_limit')
  const pgbouncer = stripped.searchParams.get('pgbouncer')
  stripped.searchParams.delete('connection_limit')
  stripped.searchParams.delete('pgbouncer')
  let poolSize = 10
  if (limit !== null) {
    try {
      poolSize = integer(10, 1, 1000)(limit)
    } catch (error) {
      throw new ConfigError('DATABASE_URL', `connection_limit ${(error as Error).message}`)
    }
  }
  if (pgbouncer !== null && pgbouncer !== 'true' && pgbouncer !== 'false') {
    throw new ConfigError('DATABASE_URL', `pgbouncer must be true or false (got "${pgbouncer}")`)
  }
  return {
    engine: 'postgres',
    connectionString: stripped.toString(),
    poolSize,
    preparedStatements: pgbouncer !== 'true',
    connectionTimeoutMs,
    sharedBuffers,
  }
}

function secretValues(env: Env): string[] {
  const secrets: string[] = []
  for (const [name, spec] of Object.entries(variables) as [string, VariableSpec<unknown>][]) {
    const value = env[name]
    if (!spec.secret || !value) continue
    secrets.push(value, ...value.split(',').map((part) => part.trim()))
    try {
      const password = new URL(value).password
      if (password) secrets.push(decodeURIComponent(password))
    } catch {
      // not a URL: the whole value is the secret
    }
  }
  return secrets
}

/** A config safe to print: secret variables replaced by "[redacted]". */
export function describeConfig(config: Config): Record<string, unknown> {
  return {
    env: config.env,
    host: config.host,
    port: config.port,
    dataDir: config.dataDir,
    database: {
      engine: config.database.engine,
      poolSize: config.database.poolSize,
      preparedStatements: config.database.preparedStatements,
      url: config.database.connectionString ? '[redacted]' : undefined,
    },
    redis: config.redisUrl ? '[redacted]' : undefined,
    logLevel: config.logLevel,
    version: config.version,
    commit: config.commit,
  }
}
