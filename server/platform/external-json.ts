import type { Static, TSchema } from 'typebox'
import { Value } from 'typebox/value'

/** Reading JSON from outside services: checking its shape, and the dates some of them send. */

/** The answer as the schema types it, or an error naming the first place it differs. */
export function checkShape<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Value.Check(schema, value)) return value as Static<T>
  const [first] = Value.Errors(schema, value)
  throw new Error(`${what} has an unexpected shape: ${first?.instancePath || '/'} ${first?.message ?? ''}`)
}

/**
 * Microsoft's JSON dates, which Unleashed and Xero send: `/Date(1518685950940)/` or
 * `/Date(1518685950940+0000)/`. The number is milliseconds since the epoch (UTC); the offset
 * only says which zone the sender showed it in, so it does not move the instant.
 */
const MS_DATE = /^\/Date\((-?\d{1,15})([+-]\d{4})?\)\/$/
const ISO = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/

/** The instant of a Microsoft JSON date or an ISO 8601 time (UTC when it has no zone); else undefined. */
export function parseJsonDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  const ms = MS_DATE.exec(text)
  if (ms) return new Date(Number(ms[1]))
  if (!ISO.test(text)) return undefined
  const zoned = text.length === 10 || /(Z|[+-]\d\d:?\d\d)$/.test(text.slice(10)) ? text : `${text}Z`
  const date = new Date(zoned)
  return Number.isNaN(date.getTime()) ? undefined : date
}

/** `YYYY-MM-DDTHH:mm:ss` in UTC without a zone, as Unleashed and Xero take times in requests. */
export const utcSeconds = (at: Date): string => at.toISOString().slice(0, 19)
