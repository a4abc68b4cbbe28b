import { describe, expect, it } from 'vitest'
import { cursorTime, decodeCursor, encodeCursor } from './cursor.ts'

describe('keyset cursors', () => {
  it('round-trip the sort-key values and refuse anything else with 400', () => {
    const cursor = encodeCursor(['2026-03-02T10:00:00.000Z', 'ord_1'])
    expect(decodeCursor(cursor, 2)).toEqual(['2026-03-02T10:00:00.000Z', 'ord_1'])
    expect(cursorTime('2026-03-02T10:00:00.000Z').toISOString()).toBe('2026-03-02T10:00:00.000Z')
    for (const bad of ['garbage', encodeCursor(['only one']), Buffer.from('[1,2]').toString('base64url')])
      expect(() => decodeCursor(bad, 2)).toThrow(/cursor is not one this API gave out/)
    expect(() => cursorTime('yesterday')).toThrow(/cursor/)
  })
})
