import { describe, expect, it } from 'vitest'
import { averageBalance, cashConversionCycle, dio, dpo, dso, workingCapital } from './working-capital.ts'

describe('working capital', () => {
  it('a year: inventory 50k on COGS 365k, receivables 30k on revenue 547.5k, payables 40k → 50 + 20 − 40 = 30', () => {
    expect(
      workingCapital({
        averageInventory: 50_000,
        averageReceivables: 30_000,
        averagePayables: 40_000,
        cogs: 365_000,
        revenue: 547_500,
        days: 365,
      }),
    ).toEqual({ dio: 50, dso: 20, dpo: 40, ccc: 30 })
  })

  it('a quarter: inventory (100k + 140k)/2 on COGS 270k over 90 days → 40 days', () => {
    const inventory = averageBalance([100_000, 140_000])
    expect(inventory).toBe(120_000)
    expect(dio(inventory!, 270_000, 90)).toBe(40)
    expect(dso(45_000, 300_000, 90)).toBeCloseTo(13.5, 10)
    expect(dpo(60_000, 270_000, 90)).toBe(20)
  })

  it('a negative cycle when suppliers are paid after customers pay: 10 + 5 − 45 = −30', () => {
    expect(cashConversionCycle({ dio: 10, dso: 5, dpo: 45 })).toBe(-30)
  })

  it('shows no value, never 0, for a zero denominator, and the CCC follows', () => {
    const noCogs = workingCapital({
      averageInventory: 50_000,
      averageReceivables: 30_000,
      averagePayables: 40_000,
      cogs: 0,
      revenue: 547_500,
      days: 365,
    })
    expect(noCogs).toEqual({ dio: null, dso: 20, dpo: null, ccc: null })
    expect(dso(30_000, 0, 365)).toBeNull()
    expect(cashConversionCycle({ dio: 50, dso: null, dpo: 40 })).toBeNull()
  })

  it('a zero balance on a real flow is 0 days, not no value', () => {
    expect(dio(0, 365_000, 365)).toBe(0)
  })

  it('has no average without samples, and rejects negative amounts or an empty period', () => {
    expect(averageBalance([])).toBeNull()
    expect(() => averageBalance([10, -1])).toThrow(RangeError)
    expect(() => dio(-1, 100, 365)).toThrow(/averageInventory must be a number ≥ 0/)
    expect(() => dso(1, -100, 365)).toThrow(/revenue/)
    expect(() => dpo(1, 100, 0)).toThrow(/days must be a number > 0/)
    expect(() => dio(1, 0, Number.NaN)).toThrow(RangeError)
  })
})
