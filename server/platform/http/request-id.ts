import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Uses the caller's X-Request-Id when it is a sane token, otherwise a new UUID. */
export function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id']
  const value = Array.isArray(header) ? header[0] : header
  return value && SAFE_ID.test(value) ? value : randomUUID()
}
