import { DeliveryError } from '../types.ts'

/** Outbound HTTP of the slack and webhook kinds: one POST, bounded by the caller's signal. */

const USER_AGENT = 'Sentia-Notifications/1'
const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '[::1]']

/** Why `value` is not an acceptable receiver URL, or null. */
export function urlProblem(value: string, options: { httpsUnlessLocal: boolean }): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'must be an absolute URL'
  }
  if (value.length > 2000) return 'must be at most 2000 characters'
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use http: or https:'
  if (options.httpsUnlessLocal && url.protocol === 'http:' && !LOCAL_HOSTS.includes(url.hostname))
    return 'must use https: (http only for a local address)'
  if (url.username || url.password) return 'must not carry a user name or password'
  return null
}

/** A receiver URL as the API shows it: the origin only, since the path often is the credential. */
export function shownUrl(value: string): string {
  try {
    return `${new URL(value).origin}/…`
  } catch {
    return '…'
  }
}

/** POSTs `body` as JSON; any 2xx is success, anything else a DeliveryError. */
export async function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<void> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      body,
      signal,
      // A signed body is never carried to wherever a redirect points.
      redirect: 'manual',
    })
  } catch (error) {
    if (signal.aborted) throw signal.reason
    throw new DeliveryError(networkReason(error, url))
  }
  const answer = await response.text().catch(() => '')
  if (response.status >= 200 && response.status < 300) return
  if (signal.aborted) throw signal.reason
  const status = response.status
  // Retried like any other failure: a 4xx is mostly a receiver being deployed or reconfigured.
  const note =
    status >= 400 && status < 500 && status !== 429 ? ' (refused by the receiver; retried anyway)' : ''
  const snippet = answer.replace(/\s+/g, ' ').trim().slice(0, 200)
  throw new DeliveryError(
    `HTTP ${status}${note}${snippet ? `: ${snippet}` : ''}`,
    retryAfterMs(response.headers.get('retry-after')),
  )
}

/** Retry-After in seconds (an HTTP date is ignored: the backoff applies). */
function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d+(\.\d+)?$/.test(header.trim())) return undefined
  return Math.ceil(Number(header) * 1000)
}

/** The reason of a failed connection, without the URL (a Slack URL is a credential). */
function networkReason(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  if (cause?.code) return `connection failed (${cause.code})`
  const message = cause?.message ?? (error as Error).message
  return `connection failed (${message.replaceAll(url, '<url>').slice(0, 200)})`
}
