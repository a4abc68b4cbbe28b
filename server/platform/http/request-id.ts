import { randomBytes } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Random per process, so ids from several replicas do not collide in a shared log. */
const PROCESS_PREFIX = randomBytes(6).toString('base64url')
let sequence = 0

/**
 * Uses the caller's X-Request-Id when it is a sane token, otherwise a new id: a random
 * per-process prefix and a counter (`kX3b9Qz1-1a2b`). Ids are not secrets; this costs a tenth of
 * a random UUID per request.
 */
export function requestId(request: IncomingMessage): string {
  const header = request.headers['x-request-id']
  const value = Array.isArray(header) ? header[0] : header
  if (value && SAFE_ID.test(value)) return value
  sequence += 1
  return `${PROCESS_PREFIX}-${sequence.toString(36)}`
}
