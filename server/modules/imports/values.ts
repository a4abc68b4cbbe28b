/**
 * Cell parsers for CSV imports. Each returns the value or a message saying what is wrong with
 * the cell; none guesses (no "1,000", no "1e3", no time without a zone, no 30 February).
 */
export type Parsed<T> = { value: T } | { error: string }

const DECIMAL = /^-?\d+(\.\d+)?$/
const INTEGER = /^-?\d+$/

export function parseInteger(text: string, min: number, max: number): Parsed<number> {
  if (!INTEGER.test(text)) return { error: `"${clip(text)}" is not a whole number` }
  const value = Number(text)
  if (value < min || value > max) return { error: `${text} is outside ${min}–${max}` }
  return { value }
}

/** A plain decimal number with at most `decimals` places, between min and max. */
export function parseDecimal(text: string, min: number, max: number, decimals = 2): Parsed<number> {
  if (!DECIMAL.test(text)) return { error: `"${clip(text)}" is not a number` }
  if ((text.split('.')[1]?.length ?? 0) > decimals)
    return { error: `${text} has more than ${decimals} decimal places` }
  const value = Number(text)
  if (value < min || value > max) return { error: `${text} is outside ${min}–${max}` }
  return { value }
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

function isCalendarDay(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** An ISO 8601 time with a zone (Z or ±hh:mm), e.g. 2026-03-02T10:15:00Z. */
export function parseDateTime(text: string): Parsed<Date> {
  const match = DATE_TIME.exec(text)
  if (!match) return { error: `"${clip(text)}" is not an ISO 8601 time such as 2026-03-02T10:15:00Z` }
  const [, y, mo, d, h, mi, s = '0', , zone] = match
  if (!zone) return { error: `${text} has no time zone (end it with Z or an offset such as +01:00)` }
  if (!isCalendarDay(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return { error: `${text} is not a real date and time` }
  const offset = zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone
  const value = new Date(`${text.slice(0, text.length - zone.length).replace(' ', 'T')}${offset}`)
  if (Number.isNaN(value.getTime())) return { error: `${text} is not a real date and time` }
  return { value }
}

/** A calendar day, YYYY-MM-DD. */
export function parseDay(text: string): Parsed<string> {
  const match = DATE.exec(text)
  if (!match || !isCalendarDay(Number(match[1]), Number(match[2]), Number(match[3])))
    return { error: `"${clip(text)}" is not a date (YYYY-MM-DD)` }
  return { value: text }
}

const TRUE = ['true', 'yes', '1', 'y']
const FALSE = ['false', 'no', '0', 'n']

export function parseBoolean(text: string): Parsed<boolean> {
  const lower = text.toLowerCase()
  if (TRUE.includes(lower)) return { value: true }
  if (FALSE.includes(lower)) return { value: false }
  return { error: `"${clip(text)}" is not true or false` }
}

/** Text matching a pattern, e.g. a code. */
export function parseCode(text: string, pattern: RegExp, what: string): Parsed<string> {
  if (!pattern.test(text)) return { error: `"${clip(text)}" is not a valid ${what}` }
  return { value: text }
}

/** A cell shown inside a message, cut to a readable length. */
export function clip(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max)}…` : text
}
