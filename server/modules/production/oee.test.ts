import { describe, expect, it } from 'vitest'
import { cycleMinutesFromRate, type OeeInput, oee, rollUp } from './oee.ts'

describe('oee', () => {
  it('textbook shift: 420 min planned, 47 down, 1 s ideal cycle, 19,271 made, 18,848 good → 74.79%', () => {
    const result = oee({
      plannedMinutes: 420,
      downtimeMinutes: 47,
      idealCycleMinutes: cycleMinutesFromRate(60),
      totalCount: 19_271,
      goodCount: 18_848,
    })
    expect(result.availability).toBeCloseTo(373 / 420, 12) // 88.81%
    expect(result.performance).toBeCloseTo(19_271 / 22_380, 12) // 86.11%
    expect(result.quality).toBeCloseTo(18_848 / 19_271, 12) // 97.80%
    expect(result.oee).toBeCloseTo(0.747937, 6) // = good × ideal cycle / planned
  })

  it('a line down for its whole planned time scores 0, not no value', () => {
    const down = oee({
      plannedMinutes: 480,
      downtimeMinutes: 480,
      idealCycleMinutes: 1,
      totalCount: 0,
      goodCount: 0,
    })
    expect(down).toEqual({ availability: 0, performance: null, quality: null, oee: 0 })
    const idle = oee({
      plannedMinutes: 60,
      downtimeMinutes: 0,
      idealCycleMinutes: 1,
      totalCount: 0,
      goodCount: 0,
    })
    expect(idle).toEqual({ availability: 1, performance: 0, quality: null, oee: 0 })
  })

  it('has no value when nothing was planned', () => {
    const none = { availability: null, performance: null, quality: null, oee: null }
    expect(
      oee({ plannedMinutes: 0, downtimeMinutes: 0, idealCycleMinutes: 1, totalCount: 0, goodCount: 0 }),
    ).toEqual(none)
    expect(rollUp([])).toEqual(none)
  })

  it('rejects impossible batches', () => {
    const ok: OeeInput = {
      plannedMinutes: 60,
      downtimeMinutes: 10,
      idealCycleMinutes: 1,
      totalCount: 40,
      goodCount: 38,
    }
    expect(() => oee({ ...ok, downtimeMinutes: 61 })).toThrow(/downtime \(61\) exceeds planned time \(60\)/)
    expect(() => oee({ ...ok, goodCount: 41 })).toThrow(/good count \(41\) exceeds total count \(40\)/)
    expect(() => oee({ ...ok, idealCycleMinutes: 0 })).toThrow(/idealCycleMinutes must be a number > 0/)
    expect(() => oee({ ...ok, totalCount: -1 })).toThrow(RangeError)
    expect(() => cycleMinutesFromRate(0)).toThrow(/ideal rate/)
  })
})

describe('rollUp', () => {
  const long: OeeInput = {
    plannedMinutes: 480,
    downtimeMinutes: 60,
    idealCycleMinutes: 1,
    totalCount: 400,
    goodCount: 380,
  }
  const short: OeeInput = {
    plannedMinutes: 120,
    downtimeMinutes: 60,
    idealCycleMinutes: 1,
    totalCount: 50,
    goodCount: 25,
  }

  it('sums times and counts before dividing: 405 good minutes of 600 planned is 67.5%, not the 50% mean', () => {
    expect(oee(long).oee).toBeCloseTo(380 / 480, 12) // 79.17%
    expect(oee(short).oee).toBeCloseTo(25 / 120, 12) // 20.83%
    const line = rollUp([long, short])
    expect(line.availability).toBeCloseTo(480 / 600, 12)
    expect(line.performance).toBeCloseTo(450 / 480, 12)
    expect(line.quality).toBeCloseTo(405 / 450, 12)
    expect(line.oee).toBeCloseTo(0.675, 12)
    expect(((oee(long).oee ?? 0) + (oee(short).oee ?? 0)) / 2).toBeCloseTo(0.5, 12)
  })

  it('weights each batch by its own ideal cycle: 0.5 min × 150 and 2 min × 30 → 135 ideal of 180 run', () => {
    const line = rollUp([
      { plannedMinutes: 100, downtimeMinutes: 0, idealCycleMinutes: 0.5, totalCount: 150, goodCount: 150 },
      { plannedMinutes: 100, downtimeMinutes: 20, idealCycleMinutes: 2, totalCount: 30, goodCount: 27 },
    ])
    expect(line.availability).toBeCloseTo(0.9, 12)
    expect(line.performance).toBeCloseTo(0.75, 12)
    expect(line.quality).toBeCloseTo(177 / 180, 12)
    expect(line.oee).toBeCloseTo(0.66375, 12)
  })

  it('a plant rolls up every batch of every line: 455 good minutes of 720 planned', () => {
    const lineA = [long]
    const lineB = [short, { ...short, goodCount: 50 }]
    const plant = rollUp([...lineA, ...lineB])
    expect(plant.availability).toBeCloseTo(540 / 720, 12)
    expect(plant.oee).toBeCloseTo(455 / 720, 12)
  })
})
