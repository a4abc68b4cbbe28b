import { CliError } from './output.ts'

/** What a running instance answered to one request of a command (`status`, `verify:*`). */
export interface HttpAnswer {
  status: number
  headers: Headers
  /** The body parsed as JSON; null when it is empty or not JSON. */
  body: unknown
  /** Milliseconds from sending the request to having read the whole answer. */
  ms: number
}

export interface HttpOptions {
  method?: string
  /** Gives up (UnreachableError) when the whole answer has not arrived within this time. */
  timeoutMs: number
  /** Sent as `Authorization: Bearer <key>`. */
  apiKey?: string
  headers?: Record<string, string>
  /** Sent as JSON. */
  body?: unknown
}

/** No answer at all: refused connection, unknown host, TLS failure or the timeout. */
export class UnreachableError extends CliError {
  constructor(
    readonly url: URL,
    readonly reason: string,
  ) {
    super(`cannot reach ${url.origin}: ${reason}`)
    this.name = 'UnreachableError'
  }
}

/** One request to a running instance; any HTTP status is an answer, only no answer throws. */
export async function httpRequest(url: URL, options: HttpOptions): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const started = performance.now()
  try {
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: parseJson(text),
      ms: Math.round(performance.now() - started),
    }
  } catch (error) {
    throw new UnreachableError(url, failureReason(error, options.timeoutMs))
  }
}

/** The message of an instance's `{error: {code, message}}` answer, if it is one. */
export function errorMessageOf(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error
  if (typeof error?.message !== 'string') return undefined
  return typeof error.code === 'string' ? `${error.code}: ${error.message}` : error.message
}

function parseJson(text: string): unknown {
  if (text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function failureReason(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: Error & { code?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs} ms`
  return e.cause?.message ?? e.message
}
