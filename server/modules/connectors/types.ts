import type { Config } from '../../config.ts'
import type { AppContext } from '../../context.ts'

/**
 * The contract every connector (a scheduled pull from an outside service) implements. The
 * registry owns everything around a sync: configuration state, schedule, retries, the circuit
 * breaker and the stored cursor. A connector only knows its service's requests and how to
 * book what they return through the business modules' service functions.
 */

export type ConnectorName = 'shopify' | 'unleashed' | 'amazon' | 'xero'

export interface ConnectorRequest {
  method?: 'GET' | 'POST'
  url: string
  headers?: Record<string, string>
  /** Sent as is; set the content-type header to match. */
  body?: string
}

export interface ConnectorResponse {
  status: number
  headers: Headers
  /** The parsed JSON body (null when the body is empty). */
  json: unknown
}

/**
 * Sends one request through the connector's retry policy and circuit breaker. Resolves only
 * for 2xx; anything else rejects with a ConnectorHttpError (after retries, for 429 and 5xx).
 */
export type Fetcher = (request: ConnectorRequest) => Promise<ConnectorResponse>

export interface SyncRun<C> {
  app: AppContext
  config: C
  fetch: Fetcher
  /** The cursor the last successful run returned (the connector's own format), null on the first run. */
  since: string | null
  signal: AbortSignal
}

export interface SyncResult {
  /** Records read from the service. */
  fetched: number
  /** Records booked (created or changed). */
  written: number
  /** Records already known or not applicable (kept out of `written`). */
  skipped: number
  /** Where the next run starts; null keeps the previous cursor. */
  cursor: string | null
  /** Records that could not be booked and why, one line each, for the run's status (a few are kept). */
  notes?: string[]
}

export interface Connector<C = unknown> {
  name: ConnectorName
  title: string
  /** What it brings in, in words, for /api/connectors and the docs. */
  resources: string[]
  /**
   * The environment variables that configure it, listed as missing while it is not configured.
   * All or none: config.ts refuses to start with a partial set, naming the missing one.
   */
  variables?: readonly string[]
  /** Cron expression (UTC) of the scheduled sync. */
  schedule: string
  /** This connector's settings from the parsed config; undefined when it is not configured. */
  settings(config: Config): C | undefined
  sync(run: SyncRun<C>): Promise<SyncResult>
}

export class ConnectorHttpError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    message: string,
    /** The Retry-After header of the refusal, when it had one. */
    readonly retryAfter: string | null = null,
  ) {
    super(message)
    this.name = 'ConnectorHttpError'
  }

  /** Worth another attempt: rate limited, a server error, or no answer at all (status 0). */
  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500
  }
}
