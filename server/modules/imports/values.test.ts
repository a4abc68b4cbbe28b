import { describe, expect, it } from 'vitest'
import { parseBoolean, parseDateTime, parseDay, parseDecimal, parseInteger } from './values.ts'

describe('CSV cell parsers', () => {
  it('reads whole numbers and refuses anything else', () => {
    expect(parseInteger('42', 1, 100)).toEqual({ value: 42 })
    expect(parseInteger('-3', -5, 5)).toEqual({ value: -3 })
    expect(parseInteger('0', 1, 100)).toEqual({ error: '0 is outside 1–100' })
    for (const text of ['1.5', '1e3', '1,000', ' ', 'ten'])
      expect(parseInteger(text, 0, 10_000)).toEqual({ error: `"${text}" is not a whole number` })
  })

  it('reads plain decimals with a bounded number of places', () => {
    expect(parseDecimal('34.99', 0, 100)).toEqual({ value: 34.99 })
    expect(parseDecimal('7', 0, 100)).toEqual({ value: 7 })
    expect(parseDecimal('6.4125', 0, 100, 4)).toEqual({ value: 6.4125 })
    expect(parseDecimal('1.234', 0, 100)).toEqual({ error: '1.234 has more than 2 decimal places' })
    expect(parseDecimal('-1', 0, 100)).toEqual({ error: '-1 is outside 0–100' })
    expect(parseDecimal('£5', 0, 100)).toEqual({ error: '"£5" is not a number' })
  })

  it('reads ISO times with a zone and refuses impossible ones', () => {
    expect(parseDateTime('2026-03-02T10:15:00Z')).toEqual({ value: new Date('2026-03-02T10:15:00Z') })
    expect(parseDateTime('2026-03-02 11:15:00+01:00')).toEqual({ value: new Date('2026-03-02T10:15:00Z') })
    expect(parseDateTime('2026-03-02T11:15+0100')).toEqual({ value: new Date('2026-03-02T10:15:00Z') })
    expect(parseDateTime('2024-02-29T00:00:00Z')).toEqual({ value: new Date('2024-02-29T00:00:00Z') })
    expect(parseDateTime('2026-02-29T00:00:00Z')).toEqual({
      error: '2026-02-29T00:00:00Z is not a real date and time',
    })
    expect(parseDateTime('2026-03-02T24:00:00Z')).toEqual({
      error: '2026-03-02T24:00:00Z is not a real date and time',
    })
    expect(parseDateTime('2026-03-02T10:15:00')).toEqual({
      error: '2026-03-02T10:15:00 has no time zone (end it with Z or an offset such as +01:00)',
    })
    expect(parseDateTime('02/03/2026')).toEqual({
      error: '"02/03/2026" is not an ISO 8601 time such as 2026-03-02T10:15:00Z',
    })
  })

  it('reads calendar days and yes/no values', () => {
    expect(parseDay('2027-01-31')).toEqual({ value: '2027-01-31' })
    expect(parseDay('2027-04-31')).toEqual({ error: '"2027-04-31" is not a date (YYYY-MM-DD)' })
    expect(parseBoolean('Yes')).toEqual({ value: true })
    expect(parseBoolean('0')).toEqual({ value: false })
    expect(parseBoolean('maybe')).toEqual({ error: '"maybe" is not true or false' })
  })
})
