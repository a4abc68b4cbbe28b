/**
 * Errors that mean the database cannot be reached (refused, reset, shut down, starting up, no
 * connection in time), as opposed to a statement that failed. The error handler answers them
 * with 503 `DATABASE_UNAVAILABLE` (the client may retry) instead of a 500 for the error tracker.
 *
 * Socket errors are recognized only when the database's own client raised them (it marks them,
 * `markIfConnectionError`): an outside service refusing a connection is not the database.
 */

const marked = new WeakSet<object>()

/** SQLSTATEs of a server that ends or refuses sessions: class 08, admin/crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_STATES = /^(08...|57P0[123]|53300)$/

/** pg's and pg-pool's own messages for a lost connection or a pool that could not get one in time. */
const UNAVAILABLE_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/

export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  if (marked.has(error)) return true
  const { code, message } = error as { code?: unknown; message?: unknown }
  if (typeof code === 'string' && UNAVAILABLE_STATES.test(code) && 'severity' in error) return true
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)
}

/** Marks a socket error (it has a `syscall`) raised by the database client; returns the error. */
export function markIfConnectionError<T>(error: T, always = false): T {
  if (typeof error === 'object' && error !== null && (always || 'syscall' in error)) marked.add(error)
  return error
}
