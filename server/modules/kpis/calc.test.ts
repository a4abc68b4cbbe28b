import { describe, expect, it } from 'vitest'
import { activeUsersDrop, conversionRate, revenueAnomaly, successRate } from './calc.ts'

describe('revenueAnomaly', () => {
  // Eight previous weeks: mean 100, squared deviations sum to 1050, sample variance 1050/7 = 150.
  const weeks = [100, 110, 90, 105, 95, 100, 120, 80]

  it('mean 100, sd √150 = 12.247: 130 is z 2.449 (alert), 124 is z 1.960 (no alert)', () => {
    const spike = revenueAnomaly(130, weeks)
    expect(spike?.mean).toBe(100)
    expect(spike?.sd).toBeCloseTo(12.247449, 6)
    expect(spike?.z).toBeCloseTo(2.44949, 6)
    expect(spike?.alert).toBe(true)
    expect(revenueAnomaly(124, weeks)).toMatchObject({ alert: false, z: expect.closeTo(1.959592, 6) })
  })

  it('alerts on a drop as well as a spike', () => {
    expect(revenueAnomaly(70, weeks)).toMatchObject({ alert: true, z: expect.closeTo(-2.44949, 6) })
  })

  it('uses the sample sd (n − 1): [6, 10, 14] has sd 4, so 18 is exactly z 2 and does not alert', () => {
    // With the population sd (n) it would be √(32/3) = 3.27 and z 2.45, an alert.
    expect(revenueAnomaly(18, [6, 10, 14])).toEqual({ mean: 10, sd: 4, z: 2, alert: false })
    expect(revenueAnomaly(18.01, [6, 10, 14])?.alert).toBe(true)
  })

  it('gives no alert when history is flat (sd 0), and no verdict with fewer than 2 weeks', () => {
    expect(revenueAnomaly(500, [100, 100, 100])).toEqual({ mean: 100, sd: 0, z: null, alert: false })
    expect(revenueAnomaly(500, [100])).toBeNull()
    expect(revenueAnomaly(500, [])).toBeNull()
  })

  it('rejects non-numbers', () => {
    expect(() => revenueAnomaly(Number.NaN, weeks)).toThrow(/lastHourValue must be a finite number/)
    expect(() => revenueAnomaly(1, [1, Number.POSITIVE_INFINITY])).toThrow(RangeError)
  })
})

describe('conversionRate', () => {
  it('orders / sessions: 36 orders from 1,200 sessions is 3%', () => {
    expect(conversionRate(36, 1200)).toBeCloseTo(0.03, 12)
    expect(conversionRate(0, 50)).toBe(0)
  })

  it('has no value without sessions, and rejects negative counts', () => {
    expect(conversionRate(3, 0)).toBeNull()
    expect(() => conversionRate(-1, 10)).toThrow(/orders must be a number ≥ 0/)
  })
})

describe('activeUsersDrop', () => {
  it('alerts below half of last week: 40 against 100', () => {
    expect(activeUsersDrop(40, 100)).toEqual({ alert: true, ratio: 0.4 })
  })

  it('does not alert at exactly half, above it, or when last week had nobody', () => {
    expect(activeUsersDrop(50, 100)).toEqual({ alert: false, ratio: 0.5 })
    expect(activeUsersDrop(120, 100)).toEqual({ alert: false, ratio: 1.2 })
    expect(activeUsersDrop(0, 0)).toEqual({ alert: false, ratio: null })
    expect(() => activeUsersDrop(-1, 10)).toThrow(RangeError)
  })
})

describe('successRate', () => {
  it('share not failed: 1,000 responses with 25 5xx is 97.5%', () => {
    expect(successRate(1000, 25)).toBeCloseTo(0.975, 12)
    expect(successRate(10, 0)).toBe(1)
    expect(successRate(10, 10)).toBe(0)
  })

  it('has no value with no calls, and rejects more failures than calls', () => {
    expect(successRate(0, 0)).toBeNull()
    expect(() => successRate(5, 6)).toThrow(/failures \(6\) exceed total \(5\)/)
  })
})
