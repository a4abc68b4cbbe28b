import { describe, expect, it } from 'vitest'
import { isoWeekKey, retain } from './retention.ts'

const b = (id: string, at: string, status: 'complete' | 'failed' | 'running' = 'complete') => ({
  id,
  status,
  startedAt: new Date(at),
})

describe('backup retention (grandfather-father-son)', () => {
  const now = new Date('2026-03-10T12:00:00Z')
  const backups = [
    b('a', '2026-03-10T02:00:00Z'), // Tue, 2026-W11, March
    b('b', '2026-03-09T10:00:00Z'), // Mon, W11
    b('c', '2026-03-09T02:00:00Z'), // Mon, W11 (older the same day)
    b('d', '2026-03-08T02:00:00Z'), // Sun, W10
    b('e', '2026-03-01T02:00:00Z'), // Sun, W09, March
    b('f', '2026-02-28T02:00:00Z'), // Sat, W09, February
    b('g', '2026-02-15T02:00:00Z'), // Sun, W07, February
    b('h', '2026-01-31T02:00:00Z'), // Sat, W05, January
    b('i', '2026-03-10T01:00:00Z', 'failed'), // less than a day old
    b('j', '2026-03-08T03:00:00Z', 'failed'), // more than a day old
    b('k', '2026-03-10T11:00:00Z', 'running'),
  ]

  it('keeps the newest per day, ISO week and month, recent failures, and nothing else', () => {
    expect(retain(backups, { daily: 2, weekly: 2, monthly: 2 }, now)).toEqual({
      keep: ['a', 'b', 'd', 'f', 'i', 'k'],
      remove: ['c', 'e', 'g', 'h', 'j'],
    })
  })

  it('counts days that have a backup, not calendar days', () => {
    expect(retain(backups, { daily: 5, weekly: 0, monthly: 0 }, now).keep).toEqual([
      'a',
      'b',
      'd',
      'e',
      'f',
      'i',
      'k',
    ])
  })

  it('keeps one per month for the monthly rule alone', () => {
    expect(retain(backups, { daily: 0, weekly: 0, monthly: 3 }, now).keep).toEqual(['a', 'f', 'h', 'i', 'k'])
  })

  it('always keeps the newest complete backup, even with every rule at 0', () => {
    expect(retain(backups, { daily: 0, weekly: 0, monthly: 0 }, now)).toEqual({
      keep: ['a', 'i', 'k'],
      remove: ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'j'],
    })
    expect(
      retain([b('x', '2026-01-01T00:00:00Z', 'failed')], { daily: 7, weekly: 4, monthly: 6 }, now),
    ).toEqual({
      keep: [],
      remove: ['x'],
    })
  })

  it('names ISO weeks across year boundaries', () => {
    expect(isoWeekKey(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01')
    expect(isoWeekKey(new Date('2025-12-29T00:00:00Z'))).toBe('2026-W01')
    expect(isoWeekKey(new Date('2021-01-03T23:59:59Z'))).toBe('2020-W53')
    expect(isoWeekKey(new Date('2026-03-09T00:00:00Z'))).toBe('2026-W11')
  })
})
