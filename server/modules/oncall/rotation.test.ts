import { describe, expect, it } from 'vitest'
import {
  canonicalZone,
  holderAt,
  isLocalDate,
  type RotationRule,
  shiftAt,
  shiftStart,
  timeline,
} from './rotation.ts'

const weekly: RotationRule = {
  zone: 'Europe/London',
  startDate: '2026-01-05',
  handoffTime: '09:00',
  shiftDays: 7,
}
const iso = (date: Date | null) => date?.toISOString() ?? null
const HOUR = 3_600_000

describe('rotation shifts', () => {
  it('hands off at 09:00 London time: 09:00Z in winter, 08:00Z in summer', () => {
    expect(iso(shiftStart(weekly, 0))).toBe('2026-01-05T09:00:00.000Z')
    expect(iso(shiftStart(weekly, 11))).toBe('2026-03-23T09:00:00.000Z')
    expect(iso(shiftStart(weekly, 12))).toBe('2026-03-30T08:00:00.000Z')
    expect(iso(shiftStart(weekly, 41))).toBe('2026-10-19T08:00:00.000Z')
    expect(iso(shiftStart(weekly, 42))).toBe('2026-10-26T09:00:00.000Z')
  })

  it('makes the shifts spanning the changes 167 and 169 hours long', () => {
    const march = shiftAt(weekly, new Date('2026-03-25T12:00:00Z'))
    expect(march.index).toBe(11)
    expect((march.end.getTime() - march.start.getTime()) / HOUR).toBe(167)
    const october = shiftAt(weekly, new Date('2026-10-21T12:00:00Z'))
    expect(october.index).toBe(41)
    expect((october.end.getTime() - october.start.getTime()) / HOUR).toBe(169)
    const ordinary = shiftAt(weekly, new Date('2026-06-10T12:00:00Z'))
    expect((ordinary.end.getTime() - ordinary.start.getTime()) / HOUR).toBe(168)
  })

  it('finds the shift on either side of a handoff, to the millisecond', () => {
    expect(shiftAt(weekly, new Date('2026-03-30T07:59:59.999Z')).index).toBe(11)
    expect(shiftAt(weekly, new Date('2026-03-30T08:00:00.000Z')).index).toBe(12)
    // On the first Monday of winter time, 08:00Z is 08:00 local: still the old shift.
    expect(shiftAt(weekly, new Date('2026-10-26T08:00:00.000Z')).index).toBe(41)
    expect(shiftAt(weekly, new Date('2026-10-26T09:00:00.000Z')).index).toBe(42)
    expect(shiftAt(weekly, new Date('2026-01-05T08:59:59.999Z')).index).toBe(-1)
  })

  it('keeps a handoff in a zone west of UTC on its local day (America/New_York, 2-day shifts)', () => {
    const rule: RotationRule = {
      zone: 'America/New_York',
      startDate: '2026-03-06',
      handoffTime: '21:30',
      shiftDays: 2,
    }
    // 2026-03-08 is the spring-forward day in New York: 21:30 EST is 02:30Z, 21:30 EDT is 01:30Z.
    expect(iso(shiftStart(rule, 0))).toBe('2026-03-07T02:30:00.000Z')
    expect(iso(shiftStart(rule, 1))).toBe('2026-03-09T01:30:00.000Z')
    expect(shiftAt(rule, new Date('2026-03-09T01:29:00Z')).index).toBe(0)
    expect(shiftAt(rule, new Date('2026-03-09T01:30:00Z')).index).toBe(1)
  })

  it('hands off at the jump for a time the clocks skip, and the first time for one they repeat', () => {
    const skipped: RotationRule = {
      zone: 'Europe/London',
      startDate: '2026-03-29',
      handoffTime: '01:30',
      shiftDays: 1,
    }
    expect(iso(shiftStart(skipped, 0))).toBe('2026-03-29T01:00:00.000Z') // 02:00 BST, as 01:00 GMT jumps
    expect(iso(shiftStart(skipped, 1))).toBe('2026-03-30T00:30:00.000Z') // 01:30 BST: a 23.5-hour shift
    const repeated: RotationRule = { ...skipped, startDate: '2026-10-25' }
    expect(iso(shiftStart(repeated, 0))).toBe('2026-10-25T00:30:00.000Z') // the first 01:30, BST
    expect(iso(shiftStart(repeated, 1))).toBe('2026-10-26T01:30:00.000Z')
    // Lord Howe Island moves its clocks by half an hour (02:00 → 02:30 on 4 October 2026).
    const halfHour: RotationRule = {
      zone: 'Australia/Lord_Howe',
      startDate: '2026-10-04',
      handoffTime: '02:15',
      shiftDays: 1,
    }
    expect(iso(shiftStart(halfHour, 0))).toBe('2026-10-03T15:30:00.000Z') // 02:30 +11:00
  })

  it('validates zones and dates', () => {
    expect(canonicalZone('europe/london')).toBe('Europe/London')
    expect(canonicalZone('UTC')).toBe('UTC')
    expect(canonicalZone('Mars/Olympus_Mons')).toBeNull()
    expect(canonicalZone('')).toBeNull()
    expect(isLocalDate('2026-02-28')).toBe(true)
    expect(isLocalDate('2026-02-30')).toBe(false)
    expect(isLocalDate('2026-2-3')).toBe(false)
  })
})

describe('holder of a tier', () => {
  const rotation = { ...weekly, participants: ['alice', 'bob', 'carol'] }
  const at = (text: string) => new Date(text)

  it('is the rotation participant for the shift, until the next handoff', () => {
    const holding = holderAt({ rotation, overrides: [] }, at('2026-03-25T12:00:00Z'))
    expect(holding).toEqual({
      contactId: 'carol',
      source: { kind: 'rotation', shift: 11 },
      until: at('2026-03-30T08:00:00Z'),
    })
    expect(holderAt({ rotation, overrides: [] }, at('2026-03-30T08:00:00Z')).contactId).toBe('alice')
  })

  it('is nobody before the first shift or without a rotation', () => {
    expect(holderAt({ rotation, overrides: [] }, at('2026-01-01T00:00:00Z'))).toEqual({
      contactId: null,
      source: null,
      until: at('2026-01-05T09:00:00Z'),
    })
    expect(holderAt({ rotation: null, overrides: [] }, at('2026-01-01T00:00:00Z')).until).toBeNull()
  })

  it('lets the latest created override win, and an older one never cut a newer one short', () => {
    const older = {
      id: 'o1',
      contactId: 'bob',
      start: at('2026-04-01T00:00Z'),
      end: at('2026-04-03T00:00Z'),
      seq: 1,
    }
    const newer = {
      id: 'o2',
      contactId: 'dave',
      start: at('2026-03-31T00:00Z'),
      end: at('2026-04-02T00:00Z'),
      seq: 2,
    }
    const plan = { rotation, overrides: [older, newer] }
    // Alice's shift, cut short by the newer override.
    expect(holderAt(plan, at('2026-03-30T12:00Z'))).toMatchObject({ contactId: 'alice', until: newer.start })
    // The newer override holds through the older one's start.
    expect(holderAt(plan, at('2026-04-01T12:00Z'))).toEqual({
      contactId: 'dave',
      source: { kind: 'override', id: 'o2' },
      until: newer.end,
    })
    expect(holderAt(plan, at('2026-04-02T00:00Z'))).toMatchObject({ contactId: 'bob', until: older.end })
    expect(holderAt(plan, at('2026-04-03T00:00Z'))).toMatchObject({
      contactId: 'alice',
      until: at('2026-04-06T08:00Z'),
    })
  })

  it('lays out a timeline window with overrides cut in', () => {
    const override = {
      id: 'o1',
      contactId: 'bob',
      start: at('2026-03-31T00:00Z'),
      end: at('2026-04-01T00:00Z'),
      seq: 1,
    }
    const segments = timeline(
      { rotation, overrides: [override] },
      at('2026-03-28T00:00Z'),
      at('2026-04-10T00:00Z'),
    )
    expect(segments.map((s) => [iso(s.start), iso(s.end), s.contactId, s.source?.kind])).toEqual([
      ['2026-03-28T00:00:00.000Z', '2026-03-30T08:00:00.000Z', 'carol', 'rotation'],
      ['2026-03-30T08:00:00.000Z', '2026-03-31T00:00:00.000Z', 'alice', 'rotation'],
      ['2026-03-31T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'bob', 'override'],
      ['2026-04-01T00:00:00.000Z', '2026-04-06T08:00:00.000Z', 'alice', 'rotation'],
      ['2026-04-06T08:00:00.000Z', '2026-04-10T00:00:00.000Z', 'bob', 'rotation'],
    ])
  })
})
