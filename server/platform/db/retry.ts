import { setTimeout as sleep } from 'node:timers/promises'

/** PostgreSQL's answers to two transactions that locked the same rows in opposite orders. */
const TRANSIENT = new Set(['40P01', '40001'])

/** True for a deadlock or serialization failure: the database rolled the work back; running it again is safe. */
export function isTransientConflict(error: unknown): boolean {
  return TRANSIENT.has((error as { code?: string } | null)?.code ?? '')
}

/**
 * Runs an atomic unit of work (one statement, or one whole transaction) again when PostgreSQL
 * chose it as the victim of a deadlock, as its manual advises: the victim was rolled back, so
 * nothing of it stays. A short random pause lets the winner commit first. Other errors (or those
 * `retryable` refuses), and the last attempt's, go to the caller.
 */
export async function retryOnConflict<T>(
  work: () => Promise<T>,
  attempts = 4,
  retryable: (error: unknown) => boolean = isTransientConflict,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work()
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error
      await sleep(Math.random() * 20 * attempt)
    }
  }
}
