import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { checkShape, parseJsonDate, utcSeconds } from './external-json.ts'

describe('parseJsonDate', () => {
  it('reads Microsoft JSON dates, with or without an offset, as the instant they carry', () => {
    expect(parseJsonDate('/Date(1518685950940+0000)/')?.toISOString()).toBe('2018-02-15T09:12:30.940Z')
    expect(parseJsonDate('/Date(1518685950940)/')?.toISOString()).toBe('2018-02-15T09:12:30.940Z')
    // the offset says how the sender showed it, not a different instant
    expect(parseJsonDate('/Date(1518685950940+1300)/')?.toISOString()).toBe('2018-02-15T09:12:30.940Z')
  })

  it('reads ISO times, taking one without a zone as UTC', () => {
    expect(parseJsonDate('2026-01-03T00:00:00')?.toISOString()).toBe('2026-01-03T00:00:00.000Z')
    expect(parseJsonDate('2026-01-03')?.toISOString()).toBe('2026-01-03T00:00:00.000Z')
    expect(parseJsonDate('2026-01-03T10:00:00+01:00')?.toISOString()).toBe('2026-01-03T09:00:00.000Z')
  })

  it('gives undefined for anything else', () => {
    for (const value of [undefined, null, 42, '', 'yesterday', '/Date(abc)/', '2026-13-45T99:00:00'])
      expect(parseJsonDate(value)).toBeUndefined()
  })

  it('writes request times to the second, in UTC, without a zone', () => {
    expect(utcSeconds(new Date('2026-01-05T08:40:12.345Z'))).toBe('2026-01-05T08:40:12')
  })
})

describe('checkShape', () => {
  const Answer = Type.Object({ Items: Type.Array(Type.Object({ Code: Type.String() })) })

  it('passes a matching answer through and names where another differs', () => {
    expect(checkShape(Answer, { Items: [{ Code: 'A', extra: 1 }] }, 'x')).toEqual({
      Items: [{ Code: 'A', extra: 1 }],
    })
    expect(() => checkShape(Answer, { Items: [{ Code: 7 }] }, 'The page')).toThrow(
      'The page has an unexpected shape: /Items/0/Code must be string',
    )
  })
})
