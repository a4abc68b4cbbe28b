/** Numbers, money and dates in the reader's locale and time zone. */

/** The currency the server reports every base-currency amount in (its BASE_CURRENCY). */
export const BASE_CURRENCY = 'GBP'

const locale = typeof navigator === 'undefined' ? 'en-GB' : navigator.language

export function money(value: number | null | undefined, currency: string, compact = false): string {
  if (value === null || value === undefined) return '—'
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: compact ? 'compact' : 'standard',
    maximumFractionDigits: compact ? 1 : 2,
  }).format(value)
}

export function number(value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined) return '—'
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)
}

/** A fraction (0.123) as a percentage (12.3 %). */
export function percent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—'
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(value)
}

export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}

/** A calendar day (YYYY-MM-DD, as the API gives due dates and forecast days) in the reader's locale. */
export function day(value: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${value}T00:00:00Z`),
  )
}

/** A calendar day as the chart's time (epoch seconds): its local midnight, so the axis shows that day. */
export function daySeconds(value: string): number {
  return new Date(`${value}T00:00:00`).getTime() / 1000
}

/** A chart time (epoch seconds) as a date in the reader's time zone, for chart legends. */
export function dateOfSeconds(seconds: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(seconds * 1000))
}
