import { ConnectorHttpError, type ConnectorRequest, type ConnectorResponse, type Fetcher } from './types.ts'

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number
  /** Delay before the second attempt; doubled for each further one (with ±20% jitter). */
  baseDelayMs: number
  /** No single delay is longer than this; a longer Retry-After gives up instead. */
  maxDelayMs: number
  timeoutMs: number
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 15_000,
}

export interface FetcherOptions {
  retry?: Partial<RetryPolicy>
  /** Waits between attempts; tests pass one that does not sleep. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  signal?: AbortSignal
  /** Called before each retry, for logs and metrics. */
  onRetry?: (error: ConnectorHttpError, attempt: number, delayMs: number) => void
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

/** One HTTP call: 2xx resolves with the parsed JSON body, anything else rejects. */
export async function send(request: ConnectorRequest, timeoutMs: number, signal?: AbortSignal) {
  const timeout = AbortSignal.timeout(timeoutMs)
  let response: Response
  try {
    response = await fetch(request.url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    })
  } catch (error) {
    const reason = timeout.aborted ? `no answer within ${timeoutMs} ms` : (error as Error).message
    throw new ConnectorHttpError(0, request.url, `${request.method ?? 'GET'} ${request.url}: ${reason}`)
  }
  const text = await response.text()
  if (!response.ok) {
    throw new ConnectorHttpError(
      response.status,
      request.url,
      `${request.method ?? 'GET'} ${request.url} answered ${response.status}: ${text.slice(0, 200)}`,
      response.headers.get('retry-after'),
    )
  }
  let json: unknown = null
  if (text !== '') {
    try {
      json = JSON.parse(text)
    } catch {
      throw new ConnectorHttpError(response.status, request.url, `${request.url} answered with invalid JSON`)
    }
  }
  return { status: response.status, headers: response.headers, json } satisfies ConnectorResponse
}

/**
 * Seconds or an HTTP date, as Retry-After allows, and decimal seconds as Shopify sends them
 * ("2.0"); undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.ceil(Number(header) * 1000)
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** A Fetcher that retries 429, 5xx and unanswered calls with exponential backoff. */
export function createFetcher(options: FetcherOptions = {}): Fetcher {
  const policy = { ...DEFAULT_RETRY, ...options.retry }
  const sleep = options.sleep ?? abortableSleep
  const signal = options.signal ?? new AbortController().signal
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(request, policy.timeoutMs, signal)
      } catch (error) {
        if (!(error instanceof ConnectorHttpError) || !error.retryable || attempt >= policy.attempts)
          throw error
        const backoff = policy.baseDelayMs * 2 ** (attempt - 1) * (0.8 + Math.random() * 0.4)
        const asked = retryAfterMs(error.retryAfter)
        if (asked !== undefined && asked > policy.maxDelayMs) throw error
        const delay = Math.min(policy.maxDelayMs, Math.max(backoff, asked ?? 0))
        options.onRetry?.(error, attempt, delay)
        await sleep(delay, signal)
      }
    }
  }
}
