import { describe, expect, it } from 'vitest'
import { AppError } from '../../platform/http/errors.ts'
import {
  canonicalTimezone,
  checkSchedule,
  expand,
  occurrencesOf,
  type WindowDefinition,
  type WindowSchedule,
} from './schedule.ts'

const NY = 'America/New_York'

function recurring(
  cron: string,
  durationMinutes: number,
  extra: Partial<WindowDefinition> = {},
): WindowDefinition {
  return {
    id: 'w1',
    title: 'Monthly patching',
    timezone: NY,
    readOnly: true,
    cancelledAt: null,
    schedule: {
      kind: 'recurring',
      cron,
      durationMinutes,
      from: new Date('2025-12-01T00:00:00Z'),
      until: null,
    },
    ...extra,
  }
}

const year2026 = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') }
const spans = (w: WindowDefinition, range = year2026) =>
  occurrencesOf(w, range).map((o) => [o.start.toISOString(), o.end.toISOString()])

/** The error code a call throws (AppError), or 'none'. */
function codeOf(run: () => void): string {
  try {
    run()
    return 'none'
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${(error as Error).message}`
  }
}

describe('first Sunday of each month 02:00–04:00 America/New_York', () => {
  const monthly = recurring('0 2 * * SUN#1', 120)

  it('starts at 07:00Z under EST and 06:00Z under EDT, across both DST changes of 2026', () => {
    // 2026: clocks go forward on Sunday 8 March, back on Sunday 1 November (02:00 EDT → 01:00 EST).
    expect(spans(monthly)).toEqual([
      ['2026-01-04T07:00:00.000Z', '2026-01-04T09:00:00.000Z'],
      ['2026-02-01T07:00:00.000Z', '2026-02-01T09:00:00.000Z'],
      ['2026-03-01T07:00:00.000Z', '2026-03-01T09:00:00.000Z'],
      ['2026-04-05T06:00:00.000Z', '2026-04-05T08:00:00.000Z'],
      ['2026-05-03T06:00:00.000Z', '2026-05-03T08:00:00.000Z'],
      ['2026-06-07T06:00:00.000Z', '2026-06-07T08:00:00.000Z'],
      ['2026-07-05T06:00:00.000Z', '2026-07-05T08:00:00.000Z'],
      ['2026-08-02T06:00:00.000Z', '2026-08-02T08:00:00.000Z'],
      ['2026-09-06T06:00:00.000Z', '2026-09-06T08:00:00.000Z'],
      ['2026-10-04T06:00:00.000Z', '2026-10-04T08:00:00.000Z'],
      // the fall-back morning itself: 02:00 comes once, after the change, as EST
      ['2026-11-01T07:00:00.000Z', '2026-11-01T09:00:00.000Z'],
      ['2026-12-06T07:00:00.000Z', '2026-12-06T09:00:00.000Z'],
    ])
  })

  it('lists an occurrence that overlaps the edge of a range, and none that only touches it', () => {
    const inside = { from: new Date('2026-04-05T07:00:00Z'), to: new Date('2026-04-05T07:00:01Z') }
    expect(spans(monthly, inside)).toEqual([['2026-04-05T06:00:00.000Z', '2026-04-05T08:00:00.000Z']])
    const touching = { from: new Date('2026-04-05T08:00:00Z'), to: new Date('2026-05-03T06:00:00Z') }
    expect(spans(monthly, touching)).toEqual([])
  })

  it('ends at `until`, and a cancellation ends the occurrence in progress', () => {
    const until = recurring('0 2 * * SUN#1', 120, {
      schedule: {
        kind: 'recurring',
        cron: '0 2 * * SUN#1',
        durationMinutes: 120,
        from: new Date('2025-12-01T00:00:00Z'),
        until: new Date('2026-03-01T07:00:00Z'),
      },
    })
    expect(spans(until).map(([start]) => start)).toEqual([
      '2026-01-04T07:00:00.000Z',
      '2026-02-01T07:00:00.000Z',
    ])
    const cancelled = recurring('0 2 * * SUN#1', 120, { cancelledAt: new Date('2026-02-01T07:30:00Z') })
    expect(spans(cancelled)).toEqual([
      ['2026-01-04T07:00:00.000Z', '2026-01-04T09:00:00.000Z'],
      ['2026-02-01T07:00:00.000Z', '2026-02-01T07:30:00.000Z'],
    ])
  })

  it('has no occurrence that ended before the window was created', () => {
    const created = recurring('0 2 * * SUN#1', 120, {
      schedule: {
        kind: 'recurring',
        cron: '0 2 * * SUN#1',
        durationMinutes: 120,
        from: new Date('2026-02-01T08:00:00Z'), // during February's occurrence
        until: null,
      },
    })
    expect(
      spans(created)
        .slice(0, 2)
        .map(([start]) => start),
    ).toEqual(['2026-02-01T07:00:00.000Z', '2026-03-01T07:00:00.000Z'])
  })
})

describe('DST edge cases (America/New_York, 2026)', () => {
  it('moves a start in the skipped hour to 03:00 EDT, the moment the clocks jump to, and keeps the duration', () => {
    // Second Sunday of March 2026 is 8 March: 02:00 EST jumps to 03:00 EDT, so 02:00 and 02:30 do not exist.
    for (const cron of ['0 2 * * SUN#2', '30 2 8 3 *']) {
      const [march] = occurrencesOf(recurring(cron, 120), {
        from: new Date('2026-03-08T00:00:00Z'),
        to: new Date('2026-03-09T00:00:00Z'),
      })
      expect(march!.start.toISOString()).toBe('2026-03-08T07:00:00.000Z') // 03:00 EDT
      expect(march!.end.toISOString()).toBe('2026-03-08T09:00:00.000Z') // 05:00 EDT: two real hours
    }
    // the weeks either side are unaffected
    expect(
      occurrencesOf(recurring('0 2 * * SUN', 60), {
        from: new Date('2026-03-01T00:00:00Z'),
        to: new Date('2026-03-16T00:00:00Z'),
      }).map((o) => o.start.toISOString()),
    ).toEqual(['2026-03-01T07:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-15T06:00:00.000Z'])
  })

  it('starts once, at the first (EDT) one, when the start time repeats as clocks go back', () => {
    const starts = occurrencesOf(recurring('30 1 * * *', 30), {
      from: new Date('2026-10-31T00:00:00Z'),
      to: new Date('2026-11-03T00:00:00Z'),
    }).map((o) => o.start.toISOString())
    expect(starts).toEqual([
      '2026-10-31T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not again at 01:30 EST (06:30Z)
      '2026-11-02T06:30:00.000Z', // 01:30 EST
    ])
  })

  it('refuses a daily 24-hour window: on the spring-forward day consecutive starts are 23 hours apart', () => {
    const schedule: WindowSchedule = {
      kind: 'recurring',
      cron: '0 1 * * *',
      durationMinutes: 24 * 60,
      from: new Date('2026-01-01T00:00:00Z'),
      until: null,
    }
    expect(
      codeOf(() => checkSchedule(schedule, NY, new Date('2026-01-01T00:00:00Z'), { requireFuture: true })),
    ).toBe('OVERLAPPING_OCCURRENCES')
    expect(
      codeOf(() => checkSchedule(schedule, 'UTC', new Date('2026-01-01T00:00:00Z'), { requireFuture: true })),
    ).toBe('none')
  })
})

describe('checking a definition', () => {
  const now = new Date('2026-01-01T00:00:00Z')
  const every = (cron: string, durationMinutes: number): WindowSchedule => ({
    kind: 'recurring',
    cron,
    durationMinutes,
    from: now,
    until: null,
  })
  const check = (schedule: WindowSchedule, zone = NY) =>
    codeOf(() => checkSchedule(schedule, zone, now, { requireFuture: true }))

  it.each([
    ['0 2 * * SUN#1', 120, 'none'],
    ['0 3 * * *', 60, 'none'],
    ['0 */12 * * *', 11 * 60, 'none'],
    // 00:00 EST to 12:00 EDT on the spring-forward day is 11 hours
    ['0 */12 * * *', 12 * 60, 'OVERLAPPING_OCCURRENCES'],
    ['0 2 * * MON,TUE', 24 * 60 + 1, 'OVERLAPPING_OCCURRENCES'],
    ['* * * * *', 1, 'TOO_FREQUENT'],
    ['0 * * * *', 30, 'TOO_FREQUENT'],
    ['0 2 31 2 *', 60, 'INVALID_CRON'],
    ['0 2 * * SUN#6', 60, 'INVALID_CRON'],
    ['61 2 * * *', 60, 'INVALID_CRON'],
    ['0 0 2 * * *', 60, 'INVALID_CRON'],
    ['every day', 60, 'INVALID_CRON'],
  ])('%s for %i minutes → %s', (cron, minutes, code) => {
    expect(check(every(cron, minutes))).toBe(code)
  })

  it('checks one-off windows', () => {
    const once = (start: string, end: string): WindowSchedule => ({
      kind: 'once',
      start: new Date(start),
      end: new Date(end),
    })
    expect(check(once('2026-02-01T02:00:00Z', '2026-02-01T04:00:00Z'))).toBe('none')
    expect(check(once('2026-02-01T04:00:00Z', '2026-02-01T02:00:00Z'))).toBe('INVALID_RANGE')
    expect(check(once('2026-02-01T04:00:00Z', '2026-02-01T04:00:00Z'))).toBe('INVALID_RANGE')
    expect(check(once('2025-12-01T02:00:00Z', '2025-12-01T04:00:00Z'))).toBe('INVALID_RANGE')
    expect(check(once('2026-02-01T00:00:00Z', '2026-02-09T00:00:00Z'))).toBe('WINDOW_TOO_LONG')
  })

  it('bounds the expansion of a pattern that starts every minute', () => {
    const flood = recurring('* * * * *', 1)
    const found = occurrencesOf(flood, year2026)
    expect(found).toHaveLength(2000)
    expect(found.at(-1)!.start.getTime() - found[0]!.start.getTime()).toBe(1999 * 60_000)
  })

  it('knows IANA zones by their canonical names, and nothing else', () => {
    expect(canonicalTimezone('america/new_york')).toBe('America/New_York')
    expect(canonicalTimezone('Europe/London')).toBe('Europe/London')
    expect(canonicalTimezone('UTC')).toBe('UTC')
    for (const bad of ['Mars/Olympus_Mons', '+02:00', 'GMT+2:00', '', 'America/New_York; drop table'])
      expect(canonicalTimezone(bad)).toBeNull()
  })

  it('orders occurrences of several windows by start', () => {
    const a = recurring('0 2 * * SUN#1', 120, { id: 'a' })
    const b: WindowDefinition = {
      ...a,
      id: 'b',
      schedule: {
        kind: 'once',
        start: new Date('2026-01-10T00:00:00Z'),
        end: new Date('2026-01-10T01:00:00Z'),
      },
    }
    const range = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-02T00:00:00Z') }
    expect(expand([a, b], range).map((o) => o.windowId)).toEqual(['a', 'b', 'a'])
  })
})
