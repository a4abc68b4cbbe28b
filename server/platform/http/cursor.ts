import { badRequest } from './errors.ts'

/**
 * Keyset-pagination cursors: the sort-key values of a page's last row, opaque to callers
 * (base64url JSON), and refused with 400 when a cursor is not one the API gave out.
 */
export function encodeCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url')
}

export function decodeCursor(cursor: string, length: number): string[] {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    value = null
  }
  if (Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'string'))
    return value as string[]
  throw badRequest('cursor is not one this API gave out')
}

/** A time from a cursor (as written by `encodeCursor` with an ISO string). */
export function cursorTime(value: string): Date {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw badRequest('cursor is not one this API gave out')
  return date
}
