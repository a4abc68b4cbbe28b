import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Cron } from 'croner'

/**
 * Every environment variable the app reads, declared once: parser, default, description and
 * whether it is secret. `config.ts` turns them into the typed Config.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

export interface VariableSpec<T> {
  description: string
  secret?: boolean
  /** Shown in docs; `undefined` means "unset by default". */
  defaultText?: string
  parse: (raw: string | undefined, env: Env) => T
}

export type Env = Record<string, string | undefined>

export const oneOf =
  <T extends string>(values: readonly T[], fallback: T) =>
  (raw: string | undefined): T => {
    const value = (raw ?? fallback).trim() as T
    if (!values.includes(value)) throw new Error(`must be one of ${values.join(', ')} (got "${raw}")`)
    return value
  }

export const integer =
  (fallback: number, min: number, max: number) =>
  (raw: string | undefined): number => {
    if (raw === undefined || raw.trim() === '') return fallback
    if (!/^\d+$/.test(raw.trim()))
      throw new Error(`must be a whole number between ${min} and ${max} (got "${raw}")`)
    const value = Number(raw)
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max} (got ${value})`)
    return value
  }

export const optionalUrl =
  (protocols: string[]) =>
  (raw: string | undefined): URL | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined
    let url: URL
    try {
      url = new URL(raw.trim())
    } catch {
      throw new Error('is not a valid URL')
    }
    if (!protocols.includes(url.protocol)) throw new Error(`must use ${protocols.join(' or ')}`)
    return url
  }

/** A decimal number (`1.5`) between min and max, `fallback` when unset. */
export const decimal =
  (fallback: number, min: number, max: number) =>
  (raw: string | undefined): number => {
    if (raw === undefined || raw.trim() === '') return fallback
    if (!/^\d+(\.\d+)?$/.test(raw.trim()))
      throw new Error(`must be a number between ${min} and ${max} (got "${raw}")`)
    const value = Number(raw)
    if (value < min || value > max) throw new Error(`must be between ${min} and ${max} (got ${value})`)
    return value
  }

export const boolean = (fallback: boolean) => (raw: string | undefined) => {
  if (raw === undefined || raw.trim() === '') return fallback
  const value = raw.trim().toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(value)) return true
  if (['false', '0', 'no', 'off'].includes(value)) return false
  throw new Error(`must be true or false (got "${raw}")`)
}

export const text = (fallback: string) => (raw: string | undefined) =>
  raw === undefined || raw.trim() === '' ? fallback : raw.trim()

/** A five-field cron expression (UTC), checked with croner; `off` gives undefined (not scheduled). */
export const cronOrOff = (fallback: string) => (raw: string | undefined) => {
  const value = text(fallback)(raw)
  if (value === 'off') return undefined
  try {
    new Cron(value, { paused: true, mode: '5-part' }).stop()
  } catch (error) {
    throw new Error(`must be a five-field cron expression or off (got "${raw}"): ${(error as Error).message}`)
  }
  return value
}

/** A duration like `30m`, `4h`, `1d` (s, m, h, d) in seconds, at least `min` seconds. */
export const durationSeconds = (fallback: string, min: number) => (raw: string | undefined) => {
  const value = text(fallback)(raw)
  const match = /^(\d+)(s|m|h|d)$/.exec(value)
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }
  const seconds = match ? Number(match[1]) * unit[match[2] as keyof typeof unit] : Number.NaN
  if (!(seconds >= min))
    throw new Error(`must be a duration like 30m, 4h or 1d, at least ${min} s (got "${raw}")`)
  return seconds
}

/**
 * An interval between backups as a cron expression: `Nm` where N divides 60 (5, 6, 10, 12, 15,
 * 20, 30, 60) runs at every N-th minute of the hour; `Nh` where N divides 24 runs on the hour
 * every N hours from midnight UTC. Anything else (90m, 5h, under 5m) is refused; unset: undefined.
 */
export const backupInterval = (raw: string | undefined): string | undefined => {
  const value = text('')(raw)
  if (value === '') return undefined
  const match = /^(\d+)(m|h)$/.exec(value)
  const n = match ? Number(match[1]) : 0
  const refuse = () =>
    new Error(
      `must be Nm with N ≥ 5 dividing 60 (5m, 10m, 15m, 30m, …) or Nh with N dividing 24 (got "${raw}")`,
    )
  if (match?.[2] === 'm') {
    if (n < 5 || 60 % n !== 0) throw refuse()
    return n === 60 ? '0 * * * *' : `*/${n} * * * *`
  }
  if (match?.[2] === 'h') {
    if (n < 1 || 24 % n !== 0) throw refuse()
    return n === 1 ? '0 * * * *' : n === 24 ? '0 0 * * *' : `0 */${n} * * *`
  }
  throw refuse()
}

/** An http(s) URL without its trailing slash, `fallback` when unset. */
export const serviceUrl = (fallback: string) => (raw: string | undefined) => {
  const url = optionalUrl(['http:', 'https:'])(raw)
  return (url?.toString() ?? fallback).replace(/\/$/, '')
}

/** Comma-separated `KEY=VALUE` pairs into a map, each side checked against its pattern. */
export const codePairs =
  (what: string, key: RegExp, value: RegExp, fallback = '') =>
  (raw: string | undefined): ReadonlyMap<string, string> => {
    const map = new Map<string, string>()
    for (const pair of text(fallback)(raw)
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const [left = '', right = '', extra] = pair.split('=').map((part) => part.trim())
      if (extra !== undefined || !key.test(left) || !value.test(right))
        throw new Error(`must be comma-separated ${what} pairs (got "${pair}")`)
      map.set(left, right)
    }
    return map
  }

export const variables = {
  APP_ENV: {
    description: 'Environment name; production refuses insecure defaults.',
    defaultText: 'development',
    parse: oneOf(['development', 'staging', 'production'] as const, 'development'),
  },
  HOST: {
    description: 'Address the HTTP server binds to.',
    defaultText: '127.0.0.1',
    parse: text('127.0.0.1'),
  },
  PORT: { description: 'HTTP port.', defaultText: '3000', parse: integer(3000, 0, 65535) },
  DATA_DIR: {
    description: 'Directory for the embedded database, its lock file and local files.',
    defaultText: './data',
    parse: (raw: string | undefined) => path.resolve(text('./data')(raw)),
  },
  WEB_DIR: {
    description:
      'Directory of the built web app (`npm run build` writes it; `npm start` builds it when its sources changed).',
    defaultText: '<package>/dist/web',
    parse: (raw: string | undefined) =>
      raw?.trim() ? path.resolve(raw.trim()) : path.join(packageRoot(), 'dist', 'web'),
  },
  DATABASE_URL: {
    description:
      'PostgreSQL connection URL. Unset: embedded PGlite in DATA_DIR. Honours `connection_limit` (pool size) and `pgbouncer=true` (no prepared statements).',
    secret: true,
    parse: optionalUrl(['postgres:', 'postgresql:']),
  },
  DATABASE_POOL_TIMEOUT_MS: {
    description: 'How long a request waits for a database connection before failing.',
    defaultText: '5000',
    parse: integer(5000, 100, 120_000),
  },
  EMBEDDED_SHARED_BUFFERS: {
    description:
      'Shared buffer cache of the embedded engine (PostgreSQL units: kB, MB, GB); the main part of its memory.',
    defaultText: '32MB',
    parse: (raw: string | undefined) => {
      const value = text('32MB')(raw)
      if (!/^\d+(kB|MB|GB)$/.test(value)) throw new Error(`must be a size like 32MB (got "${raw}")`)
      return value
    },
  },
  REDIS_URL: {
    description: 'Redis URL for shared cache and event fan-out across replicas. Unset: in-process.',
    secret: true,
    parse: optionalUrl(['redis:', 'rediss:']),
  },
  PUBLIC_URL: {
    description:
      'The address people use to reach the app (sign-in redirects, cookie security). Cookies are Secure when it is https.',
    defaultText: 'http://HOST:PORT',
    parse: optionalUrl(['http:', 'https:']),
  },
  SESSION_SECRETS: {
    description:
      'Comma-separated secrets for signing sessions: the first signs, all verify (rotation logs nobody out). Required in production (32+ characters each); elsewhere one is generated into DATA_DIR.',
    secret: true,
    parse: (raw: string | undefined) =>
      raw === undefined || raw.trim() === ''
        ? []
        : raw
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
  },
  SESSION_IDLE_MINUTES: {
    description: 'A session not used for this long expires (each use extends it).',
    defaultText: '480',
    parse: integer(480, 5, 525_600),
  },
  SESSION_MAX_HOURS: {
    description: 'A session ends this long after sign-in however active it is.',
    defaultText: '168',
    parse: integer(168, 1, 8760),
  },
  LOGIN_MAX_FAILURES: {
    description: 'Failed sign-ins to one account within LOGIN_LOCK_MINUTES that lock it.',
    defaultText: '5',
    parse: integer(5, 1, 1000),
  },
  LOGIN_LOCK_MINUTES: {
    description: 'The window for counting failed sign-ins, and how long a locked account stays locked.',
    defaultText: '15',
    parse: integer(15, 1, 10_080),
  },
  REQUIRE_2FA_FOR_ADMINS: {
    description: 'Admins without two-factor sign-in act as viewers until they enable it.',
    defaultText: 'false',
    parse: boolean(false),
  },
  OIDC_ISSUER: {
    description:
      "OpenID Connect sign-in: the provider's issuer URL (with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET). Register `PUBLIC_URL/api/auth/callback/oidc` there.",
    parse: optionalUrl(['http:', 'https:']),
  },
  OIDC_CLIENT_ID: { description: 'OpenID Connect client id.', parse: text('') },
  OIDC_CLIENT_SECRET: { description: 'OpenID Connect client secret.', secret: true, parse: text('') },
  OIDC_NAME: {
    description: 'Label of the single sign-on button.',
    defaultText: 'Single sign-on',
    parse: text('Single sign-on'),
  },
  SENTIA_ADMIN_EMAIL: {
    description: 'With SENTIA_ADMIN_PASSWORD: the first admin, created at start when no user has this email.',
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw.trim() === '') return undefined
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw.trim())) throw new Error('is not an email address')
      return raw.trim().toLowerCase()
    },
  },
  SENTIA_ADMIN_PASSWORD: {
    description: 'Password of the first admin (12+ characters).',
    secret: true,
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw === '') return undefined
      if (raw.length < 12) throw new Error('must be at least 12 characters')
      return raw
    },
  },
  DEMO_DATA: {
    description:
      '`auto`: in development on an empty embedded database, load a year of demo business data and create demo users (passwords printed once to the log). `true` or `false` to force.',
    defaultText: 'auto',
    parse: oneOf(['auto', 'true', 'false'] as const, 'auto'),
  },
  METRICS_TOKEN: {
    description:
      'Bearer token Prometheus must send for /metrics. Unset: /metrics is served to loopback only.',
    secret: true,
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw.trim() === '') return undefined
      if (raw.trim().length < 16) throw new Error('must be at least 16 characters')
      return raw.trim()
    },
  },
  TRUST_PROXY: {
    description:
      'Trust X-Forwarded-For from these proxies: `true` (any), a hop count, or comma-separated addresses/CIDRs. Unset: the peer address is the client.',
    parse: (raw: string | undefined): boolean | number | string[] => {
      const value = raw?.trim() ?? ''
      if (value === '' || value === 'false') return false
      if (value === 'true') return true
      if (/^\d+$/.test(value)) return Number(value)
      const list = value.split(',').map((part) => part.trim())
      if (list.some((part) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(part))) {
        throw new Error('must be true, false, a hop count or comma-separated IP addresses/CIDRs')
      }
      return list
    },
  },
  AUDIT_RETENTION_DAYS: {
    description: 'Audit log entries older than this are deleted by the daily retention job.',
    defaultText: '90',
    parse: integer(90, 1, 36_500),
  },
  ERRORS_RETENTION_DAYS: {
    description: 'Error groups not seen for this long are deleted by the daily errors.retention job.',
    defaultText: '90',
    parse: integer(90, 1, 36_500),
  },
  DB_ANALYZE_SCHEDULE: {
    description:
      'Cron expression (UTC, five fields) of the `dbmaintenance.analyze` job (ANALYZE of every table, once across replicas); `off` disables it.',
    defaultText: '0 3 * * 0',
    parse: cronOrOff('0 3 * * 0'),
  },
  DB_REINDEX_SCHEDULE: {
    description:
      'Cron expression (UTC, five fields) of the `dbmaintenance.reindex` job (rebuilds bloated indexes: REINDEX CONCURRENTLY on PostgreSQL); `off` disables it.',
    defaultText: '30 3 * * 0',
    parse: cronOrOff('30 3 * * 0'),
  },
  DB_REINDEX_BLOAT_PERCENT: {
    description:
      'An index of 1 MiB or more whose estimated bloat is over this share of its size is rebuilt by `dbmaintenance.reindex` (and flagged by `sentia db:maintenance`).',
    defaultText: '30',
    parse: integer(30, 1, 99),
  },
  SENTRY_DSN: {
    description:
      'Sentry project DSN (`https://KEY@HOST/PROJECT`): every recorded error is also sent there. Unset: errors stay in the app.',
    secret: true,
    parse: (raw: string | undefined) => {
      const url = optionalUrl(['http:', 'https:'])(raw)
      if (!url) return undefined
      if (!url.username || !/^\/(.+\/)?\w+$/.test(url.pathname))
        throw new Error('must be a Sentry DSN like https://KEY@o0.ingest.sentry.io/PROJECT')
      return url.toString()
    },
  },
  ALERT_EVALUATION_SECONDS: {
    description:
      'How often alert rules are evaluated (once across replicas); "resolved" goes out within one interval of a condition clearing. 0 turns evaluation off on this process.',
    defaultText: '10',
    parse: integer(10, 0, 3600),
  },
  BACKUP_DIR: {
    description:
      'Directory of the local backup store (each backup in `<id>/`: its archive and manifest.json).',
    defaultText: 'DATA_DIR/backups',
    parse: (raw: string | undefined, env: Env) =>
      raw?.trim()
        ? path.resolve(raw.trim())
        : path.join(path.resolve(text('./data')(env.DATA_DIR)), 'backups'),
  },
  BACKUP_SCHEDULE: {
    description:
      'Cron expression (UTC, five fields) of the scheduled backup (job `backups.create`, then retention); `off` disables it.',
    defaultText: '0 2 * * *',
    parse: cronOrOff('0 2 * * *'),
  },
  BACKUP_INTERVAL: {
    description:
      'Take backups every interval instead of on BACKUP_SCHEDULE, for a tighter RPO: `Nm` (N ≥ 5 dividing 60: every N-th minute of the hour) or `Nh` (N dividing 24: on the hour every N hours from 00:00 UTC). Unset: BACKUP_SCHEDULE.',
    parse: backupInterval,
  },
  BACKUP_DRILL_SCHEDULE: {
    description:
      'Cron expression (UTC, five fields) of the recovery drill (job `backups.drill`: the newest backup restored into a scratch database, checked, dropped); `off` disables it.',
    defaultText: '0 4 1 * *',
    parse: cronOrOff('0 4 1 * *'),
  },
  RTO_OBJECTIVE: {
    description:
      'Recovery time objective (`30m`, `4h`, `1d`): the built-in alert `backup-drill-rto` fires when a drill took longer to a usable database.',
    defaultText: '4h',
    parse: durationSeconds('4h', 60),
  },
  RPO_OBJECTIVE: {
    description:
      'Recovery point objective (`15m`, `1h`, `1d`): the built-in alert `backup-rpo` fires when the newest verified backup is older.',
    defaultText: '1h',
    parse: durationSeconds('1h', 60),
  },
  BACKUP_KEEP_DAILY: {
    description:
      'Retention: the newest backup of each of this many most recent UTC days that have one is kept.',
    defaultText: '7',
    parse: integer(7, 0, 3650),
  },
  BACKUP_KEEP_WEEKLY: {
    description: 'Retention: the newest backup of each of this many most recent ISO weeks is kept.',
    defaultText: '4',
    parse: integer(4, 0, 520),
  },
  BACKUP_KEEP_MONTHLY: {
    description: 'Retention: the newest backup of each of this many most recent months is kept.',
    defaultText: '6',
    parse: integer(6, 0, 1200),
  },
  IDEMPOTENCY_RETENTION_HOURS: {
    description:
      'How long an Idempotency-Key is remembered (a retry within it gets the first answer); older keys are deleted by the hourly housekeeping.retention job.',
    defaultText: '72',
    parse: integer(72, 24, 24 * 365),
  },
  APIKEY_ROTATION_OVERLAP_HOURS: {
    description: 'How long a rotated API key keeps working after its replacement is issued.',
    defaultText: '24',
    parse: integer(24, 0, 24 * 90),
  },
  RATE_LIMIT_PER_MINUTE: {
    description:
      'Requests per minute for each API key, session or (anonymous) address; shared through Redis when set. Health checks are exempt.',
    defaultText: '600',
    parse: integer(600, 1, 1_000_000),
  },
  SIGNIN_RATE_LIMIT_PER_MINUTE: {
    description: 'Sign-in attempts per minute from one address.',
    defaultText: '10',
    parse: integer(10, 1, 10_000),
  },
  SECURITY_BLOCK_ATTACKS: {
    description:
      'Reject requests matching SQL-injection, XSS, path-traversal or command-injection patterns with 400 (they are always recorded).',
    defaultText: 'false',
    parse: boolean(false),
  },
  AUTO_BLOCK_FAILED_LOGINS: {
    description:
      'Failed sign-ins from one address (across accounts) that trigger a temporary block; 0 turns it off.',
    defaultText: '20',
    parse: integer(20, 0, 100_000),
  },
  AUTO_BLOCK_WINDOW_MINUTES: {
    description: 'The window in which AUTO_BLOCK_FAILED_LOGINS are counted.',
    defaultText: '10',
    parse: integer(10, 1, 1440),
  },
  AUTO_BLOCK_DURATION_MINUTES: {
    description: 'How long an automatic block lasts.',
    defaultText: '60',
    parse: integer(60, 1, 525_600),
  },
  INCIDENT_AUTO_OPEN: {
    description:
      'Severity of the incident a firing critical alert opens when no related incident is open (`off`: never opens one; related alerts still attach).',
    defaultText: 'P1',
    parse: oneOf(['off', 'P0', 'P1', 'P2', 'P3'] as const, 'P1'),
  },
  INCIDENT_ATTACH_WINDOW_MINUTES: {
    description:
      'A firing alert attaches to the newest open incident that was opened or got an alert within this many minutes (or already holds an alert of the same rule) instead of opening a new one.',
    defaultText: '60',
    parse: integer(60, 1, 7 * 24 * 60),
  },
  DEPLOY_REGRESSION_WINDOW_MINUTES: {
    description:
      'Length of the windows before and after a deployment whose error rate and p95 response time the regression check compares (cut short when another deployment falls inside).',
    defaultText: '15',
    parse: integer(15, 1, 1440),
  },
  DEPLOY_REGRESSION_MIN_REQUESTS: {
    description:
      'Responses each window must hold for a verdict; with fewer the deployment is marked `insufficient_data`, never regressed.',
    defaultText: '100',
    parse: integer(100, 1, 1_000_000_000),
  },
  DEPLOY_REGRESSION_ERROR_POINTS: {
    description:
      'Error rate regressed: at least this many percentage points above the window before (and DEPLOY_REGRESSION_ERROR_FACTOR times it).',
    defaultText: '2',
    parse: decimal(2, 0, 100),
  },
  DEPLOY_REGRESSION_ERROR_FACTOR: {
    description: 'Error rate regressed: at least this many times the window before (and the points above).',
    defaultText: '2',
    parse: decimal(2, 1, 1000),
  },
  DEPLOY_REGRESSION_P95_FACTOR: {
    description:
      'p95 response time regressed: at least this many times the window before (and DEPLOY_REGRESSION_P95_MS more).',
    defaultText: '1.5',
    parse: decimal(1.5, 1, 1000),
  },
  DEPLOY_REGRESSION_P95_MS: {
    description:
      'p95 response time regressed: at least this many milliseconds above the window before (and the factor).',
    defaultText: '200',
    parse: integer(200, 0, 600_000),
  },
  DEPLOY_REGRESSION_CHECK_SECONDS: {
    description:
      'How often a process that runs background work looks for deployments whose after-window has passed (each is checked once across replicas). 0 turns the check off on this process.',
    defaultText: '60',
    parse: integer(60, 0, 3600),
  },
  MAINTENANCE_NOTICE_HOURS: {
    description:
      'How long before a maintenance window starts its banner is shown to everyone signed in (0: only while it is in progress).',
    defaultText: '48',
    parse: integer(48, 0, 24 * 30),
  },
  SAMPLER_INTERVAL_SECONDS: {
    description:
      'How often each process samples CPU, memory, disk, event-loop lag and request figures into the stored metric series (a divisor of 60). 0 turns the sampler off on this process (uptime then counts its time as down).',
    defaultText: '10',
    parse: (raw: string | undefined) => {
      const seconds = integer(10, 0, 60)(raw)
      if (seconds > 0 && 60 % seconds !== 0)
        throw new Error(
          `must divide a minute: 0, 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 (got ${seconds})`,
        )
      return seconds
    },
  },
  METRICS_RAW_RETENTION_HOURS: {
    description: 'Raw metric samples older than this are deleted by the hourly monitoring.retention job.',
    defaultText: '48',
    parse: integer(48, 1, 24 * 365),
  },
  METRICS_MINUTE_RETENTION_DAYS: {
    description:
      'Per-minute metric rollups older than this are deleted by the hourly monitoring.retention job.',
    defaultText: '14',
    parse: integer(14, 1, 3650),
  },
  METRICS_HOUR_RETENTION_DAYS: {
    description:
      'Per-hour metric rollups older than this are deleted by the hourly monitoring.retention job (per-day rollups are kept).',
    defaultText: '400',
    parse: integer(400, 1, 36_500),
  },
  LOG_LEVEL: {
    description: 'Log level.',
    defaultText: 'info',
    parse: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  },
  APP_VERSION: {
    description: 'Version reported by /health and recorded for releases.',
    defaultText: 'package.json version',
    parse: (raw: string | undefined) => text(packageVersion())(raw),
  },
  GIT_COMMIT: {
    description: 'Commit reported by /health.',
    defaultText: '`git rev-parse HEAD` when available',
    parse: (raw: string | undefined) => text(gitCommit() ?? 'unknown')(raw),
  },
  SHUTDOWN_TIMEOUT_MS: {
    description: 'Longest graceful shutdown before the process gives up and exits 1.',
    defaultText: '9000',
    parse: integer(9000, 1000, 120_000),
  },
  BODY_LIMIT_BYTES: {
    description: 'Largest accepted request body.',
    defaultText: '1048576',
    parse: integer(1_048_576, 1024, 1_073_741_824),
  },
  IMPORT_BODY_LIMIT_BYTES: {
    description:
      'Largest CSV file accepted by the upload endpoint (`POST /api/imports/:type`); it is streamed, never held in memory.',
    defaultText: '1073741824',
    parse: integer(1_073_741_824, 1024, 17_179_869_184),
  },
  SHOPIFY_WEBHOOK_SECRET: {
    description:
      "Signing secret of Shopify's order webhook (shown under Settings → Notifications → Webhooks). Unset: the webhook answers 503.",
    secret: true,
    parse: (raw: string | undefined) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()),
  },
  SHOPIFY_SHOP_CHANNELS: {
    description:
      'Sales channel of each Shopify shop: comma-separated `shop-domain=channel`. Other shops are booked by currency (GBP shopify-uk, EUR shopify-eu, USD shopify-usa).',
    parse: (raw: string | undefined): ReadonlyMap<string, string> => {
      const pairs = (raw ?? '').split(',').map((part) => part.trim())
      const map = new Map<string, string>()
      for (const pair of pairs.filter(Boolean)) {
        const [domain = '', channel = '', extra] = pair.split('=').map((part) => part.trim())
        if (
          extra !== undefined ||
          !/^[a-z0-9][a-z0-9.-]*$/i.test(domain) ||
          !/^[a-z0-9-]{2,40}$/.test(channel)
        )
          throw new Error(`must be comma-separated shop-domain=channel pairs (got "${pair}")`)
        map.set(domain.toLowerCase(), channel)
      }
      return map
    },
  },
  SHOPIFY_ADMIN_URL: {
    description:
      "Shopify Admin connector (orders, product prices): the shop's address, e.g. https://example.myshopify.com, with SHOPIFY_ADMIN_TOKEN. https only (http for a local address).",
    parse: (raw: string | undefined) => {
      const url = optionalUrl(['http:', 'https:'])(raw)
      if (!url) return ''
      const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
      if (url.protocol === 'http:' && !local)
        throw new Error('must use https: (http only for a local address)')
      return url.origin
    },
  },
  SHOPIFY_ADMIN_TOKEN: {
    description:
      'Admin API access token (shpat_…) of a custom app with read_orders and read_products (read_all_orders for orders older than 60 days).',
    secret: true,
    parse: text(''),
  },
  SHOPIFY_API_VERSION: {
    description:
      'Shopify Admin API version the connector asks for (`YYYY-MM`, a supported quarterly release).',
    defaultText: '2025-07',
    parse: (raw: string | undefined) => {
      const value = text('2025-07')(raw)
      if (!/^\d{4}-(01|04|07|10)$/.test(value))
        throw new Error(`must be a quarterly release like 2025-07 (got "${raw}")`)
      return value
    },
  },
  UNLEASHED_API_ID: {
    description:
      'Unleashed connector (stock on hand, assemblies): the API id from Integration → Unleashed API Access, with UNLEASHED_API_KEY.',
    parse: text(''),
  },
  UNLEASHED_API_KEY: {
    description: 'Unleashed API key; signs every request.',
    secret: true,
    parse: text(''),
  },
  UNLEASHED_API_URL: {
    description: 'Unleashed API address.',
    defaultText: 'https://api.unleashedsoftware.com',
    parse: serviceUrl('https://api.unleashedsoftware.com'),
  },
  UNLEASHED_WAREHOUSE_LOCATIONS: {
    description:
      'Location of each Unleashed warehouse: comma-separated `WAREHOUSE-CODE=LOCATION-CODE`, one warehouse per location. A warehouse not listed maps to the location with its own code; others are skipped.',
    parse: codePairs('warehouse=location', /^[\w .-]{1,40}$/, /^[A-Z0-9-]{2,20}$/),
  },
  UNLEASHED_PRODUCTION_LINE: {
    description:
      'Production line Unleashed assemblies are booked on. Unset: the only line, when there is one.',
    parse: text(''),
  },
  AMAZON_LWA_CLIENT_ID: {
    description:
      'Amazon SP-API connector (orders): the Login with Amazon client id, with AMAZON_LWA_CLIENT_SECRET and AMAZON_REFRESH_TOKEN.',
    parse: text(''),
  },
  AMAZON_LWA_CLIENT_SECRET: {
    description: 'Login with Amazon client secret.',
    secret: true,
    parse: text(''),
  },
  AMAZON_REFRESH_TOKEN: {
    description: "The seller's SP-API refresh token (from authorising the app).",
    secret: true,
    parse: text(''),
  },
  AMAZON_LWA_URL: {
    description: 'Login with Amazon token endpoint.',
    defaultText: 'https://api.amazon.com/auth/o2/token',
    parse: serviceUrl('https://api.amazon.com/auth/o2/token'),
  },
  AMAZON_SP_API_URL: {
    description:
      "One SP-API endpoint for every marketplace (sandbox, a proxy). Unset: each marketplace's regional endpoint.",
    parse: (raw: string | undefined) => serviceUrl('')(raw),
  },
  AMAZON_MARKETPLACE_CHANNELS: {
    description:
      'The marketplaces pulled and the sales channel of each: comma-separated `MARKETPLACE-ID=channel`. The refresh token must be authorised in their regions.',
    defaultText: 'A1F83G8C2ARO7P=amazon-uk,ATVPDKIKX0DER=amazon-usa',
    parse: codePairs(
      'marketplace-id=channel',
      /^[A-Z0-9]{8,20}$/,
      /^[a-z0-9-]{2,40}$/,
      'A1F83G8C2ARO7P=amazon-uk,ATVPDKIKX0DER=amazon-usa',
    ),
  },
  XERO_CLIENT_ID: {
    description:
      'Xero connector (receivables, payables): the client id of a custom connection, with XERO_CLIENT_SECRET.',
    parse: text(''),
  },
  XERO_CLIENT_SECRET: { description: 'Xero custom connection client secret.', secret: true, parse: text('') },
  XERO_TENANT_ID: {
    description:
      "Xero organisation (tenant) id, sent as Xero-tenant-id. Unset: the connection's only organisation.",
    parse: text(''),
  },
  XERO_IDENTITY_URL: {
    description: 'Xero token endpoint.',
    defaultText: 'https://identity.xero.com/connect/token',
    parse: serviceUrl('https://identity.xero.com/connect/token'),
  },
  XERO_API_URL: {
    description: 'Xero API address.',
    defaultText: 'https://api.xero.com',
    parse: serviceUrl('https://api.xero.com'),
  },
  SLACK_WEBHOOK_URL: {
    description:
      'Slack incoming webhook (a credential): the notification channel `slack`. https only (http for a local address).',
    secret: true,
    parse: (raw: string | undefined) => {
      const url = optionalUrl(['http:', 'https:'])(raw)
      if (!url) return undefined
      if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
        throw new Error('must use https: (http only for a local address)')
      return url.toString()
    },
  },
  SMTP_URL: {
    description:
      'SMTP server for email notifications, `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. With NOTIFY_EMAIL_TO it is the channel `email`.',
    secret: true,
    parse: (raw: string | undefined) => optionalUrl(['smtp:', 'smtps:'])(raw)?.toString(),
  },
  SMTP_FROM: {
    description: 'Sender of email notifications.',
    defaultText: 'Sentia <sentia@localhost>',
    parse: (raw: string | undefined) => {
      const value = text('Sentia <sentia@localhost>')(raw)
      if (!/[^\s@<>]+@[^\s@<>]+/.test(value)) throw new Error(`must contain an email address (got "${raw}")`)
      return value
    },
  },
  NOTIFY_EMAIL_TO: {
    description: 'Comma-separated recipients of the `email` notification channel.',
    parse: (raw: string | undefined) => {
      const list = text('')(raw)
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
      const bad = list.find((address) => !/^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/.test(address))
      if (bad !== undefined) throw new Error(`must be comma-separated email addresses (got "${bad}")`)
      return list
    },
  },
  NOTIFY_WEBHOOK_SECRET: {
    description:
      'Key of the HMAC-SHA256 signature (`X-Sentia-Signature`) of webhook notifications without a secret of their own (16+ characters).',
    secret: true,
    parse: (raw: string | undefined) => {
      if (raw === undefined || raw.trim() === '') return undefined
      if (raw.trim().length < 16) throw new Error('must be at least 16 characters')
      return raw.trim()
    },
  },
  NOTIFY_TIMEOUT_MS: {
    description:
      'Longest wait for a notification receiver to answer; no answer counts as a failure and is retried.',
    defaultText: '10000',
    parse: integer(10_000, 100, 120_000),
  },
  NOTIFY_RETRY_BASE_SECONDS: {
    description:
      'Delay before the first retry of a notification; doubled for each further one (with jitter).',
    defaultText: '5',
    parse: integer(5, 1, 3600),
  },
  NOTIFY_RETRY_MAX_SECONDS: {
    description: 'Longest delay between two attempts at a notification.',
    defaultText: '300',
    parse: integer(300, 1, 86_400),
  },
  NOTIFY_MAX_ATTEMPTS: {
    description: 'Attempts at a notification before it becomes a dead letter (retried only by hand).',
    defaultText: '20',
    parse: integer(20, 1, 1000),
  },
  NOTIFY_POLL_MS: {
    description:
      'How often the delivery loop looks for due notifications (it is also woken at once when one is queued); 0 turns the loop off.',
    defaultText: '1000',
    parse: integer(1000, 0, 60_000),
  },
  NOTIFY_RETENTION_DAYS: {
    description:
      'Sent notifications and delivery attempts older than this are deleted by the daily notifications.retention job.',
    defaultText: '30',
    parse: integer(30, 1, 3650),
  },
  BACKUP_S3_BUCKET: {
    description:
      'Bucket every backup is also copied to (AWS S3 or an S3-compatible service). Unset: backups stay local only.',
    parse: (raw: string | undefined) => {
      const value = text('')(raw)
      if (value !== '' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value))
        throw new Error(
          `must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens (got "${raw}")`,
        )
      return value
    },
  },
  BACKUP_S3_PREFIX: {
    description: 'Key prefix of the backups in the bucket (`/`: the bucket root).',
    defaultText: 'sentia/backups/',
    parse: (raw: string | undefined) => {
      const value = text('sentia/backups/')(raw).replace(/^\/+/, '')
      return value === '' || value.endsWith('/') ? value : `${value}/`
    },
  },
  BACKUP_S3_ENDPOINT: {
    description:
      "An S3-compatible service's URL (MinIO, Cloudflare R2, …). Unset: AWS S3 in BACKUP_S3_REGION.",
    parse: (raw: string | undefined) => optionalUrl(['http:', 'https:'])(raw)?.toString().replace(/\/$/, ''),
  },
  BACKUP_S3_REGION: {
    description: 'Region of the bucket (R2: `auto`).',
    defaultText: 'us-east-1',
    parse: (raw: string | undefined) => {
      const value = text('us-east-1')(raw)
      if (!/^[a-z0-9-]{1,40}$/.test(value)) throw new Error(`must be a region like eu-west-2 (got "${raw}")`)
      return value
    },
  },
  BACKUP_S3_ACCESS_KEY_ID: {
    description:
      "Access key id for the bucket, with BACKUP_S3_SECRET_ACCESS_KEY. Unset: the AWS SDK's default credential chain (AWS_* variables, shared config files, container or instance role).",
    parse: text(''),
  },
  BACKUP_S3_SECRET_ACCESS_KEY: {
    description: 'Secret access key for the bucket.',
    secret: true,
    parse: text(''),
  },
  BACKUP_S3_FORCE_PATH_STYLE: {
    description: 'Address the bucket in the path (`endpoint/bucket/key`) rather than the host name.',
    defaultText: 'true with BACKUP_S3_ENDPOINT, else false',
    parse: (raw: string | undefined, env: Env) => boolean(text('')(env.BACKUP_S3_ENDPOINT) !== '')(raw),
  },
} satisfies Record<string, VariableSpec<unknown>>

/** The folder holding the app's package.json, found from this file (source or built bundle). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error('package.json not found above the application files')
    dir = parent
  }
  return dir
}

let cachedVersion: string | undefined
function packageVersion(): string {
  cachedVersion ??= (
    JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
  ).version
  return cachedVersion
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: packageRoot(),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .toString()
      .trim()
  } catch {
    return undefined
  }
}
