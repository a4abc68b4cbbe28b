import { describe, expect, it } from 'vitest'
import {
  abcClasses,
  daysOfCover,
  eoq,
  isCritical,
  projectedStockoutDate,
  reorderPoint,
  reorderQuantity,
  safetyStock,
  zForServiceLevel,
} from './calc.ts'

describe('zForServiceLevel', () => {
  it.each([
    [0.5, 0],
    [0.8, 0.841621],
    [0.9, 1.281552],
    [0.95, 1.644854],
    [0.975, 1.959964],
    [0.99, 2.326348],
    [0.999, 3.090232],
    [0.01, -2.326348],
    [0.05, -1.644854],
  ])('z(%s) = %s (standard normal table)', (p, z) => {
    expect(zForServiceLevel(p)).toBeCloseTo(z, 6)
  })

  it('is symmetric around 0.5 in every region of the approximation', () => {
    for (const p of [0.001, 0.02, 0.03, 0.2, 0.4])
      expect(zForServiceLevel(1 - p)).toBeCloseTo(-zForServiceLevel(p), 8)
  })

  it.each([0, 1, -0.1, 1.5, Number.NaN])('rejects %s', (p) => {
    expect(() => zForServiceLevel(p)).toThrow(RangeError)
    expect(() => zForServiceLevel(p)).toThrow(/strictly between 0 and 1/)
  })
})

describe('safety stock, reorder point, EOQ', () => {
  it('SS = z·σ·√L: 95%, σ 10/day, 9 days → 1.6449 × 10 × 3 = 49.35', () => {
    expect(safetyStock({ serviceLevel: 0.95, demandSd: 10, leadTimeDays: 9 })).toBeCloseTo(49.3456, 4)
    expect(safetyStock({ serviceLevel: 0.99, demandSd: 4, leadTimeDays: 16 })).toBeCloseTo(37.2216, 4)
    expect(safetyStock({ serviceLevel: 0.5, demandSd: 10, leadTimeDays: 9 })).toBe(0)
    expect(safetyStock({ serviceLevel: 0.95, demandSd: 0, leadTimeDays: 9 })).toBe(0)
  })

  it('rejects a service level below 50% and negative inputs', () => {
    expect(() => safetyStock({ serviceLevel: 0.3, demandSd: 10, leadTimeDays: 9 })).toThrow(/\[0.5, 1\)/)
    expect(() => safetyStock({ serviceLevel: 0.95, demandSd: -1, leadTimeDays: 9 })).toThrow(RangeError)
    expect(() => safetyStock({ serviceLevel: 0.95, demandSd: 1, leadTimeDays: -9 })).toThrow(/leadTimeDays/)
  })

  it('ROP = d̄·L + SS: 20/day × 9 days + 49.35 = 229.35', () => {
    expect(reorderPoint({ meanDailyDemand: 20, leadTimeDays: 9, safetyStock: 49.35 })).toBeCloseTo(229.35, 10)
    expect(reorderPoint({ meanDailyDemand: 0, leadTimeDays: 9, safetyStock: 0 })).toBe(0)
    expect(() => reorderPoint({ meanDailyDemand: -1, leadTimeDays: 9, safetyStock: 0 })).toThrow(RangeError)
  })

  it('EOQ = √(2DS/h): D 1200, S 100, h 6 → √40000 = 200; null when holding is free', () => {
    expect(eoq({ annualDemand: 1200, orderCost: 100, holdingCostPerUnitYear: 6 })).toBe(200)
    expect(eoq({ annualDemand: 10_000, orderCost: 50, holdingCostPerUnitYear: 4 })).toBeCloseTo(500, 10)
    expect(eoq({ annualDemand: 1200, orderCost: 100, holdingCostPerUnitYear: 0 })).toBeNull()
    expect(eoq({ annualDemand: 1200, orderCost: 100, holdingCostPerUnitYear: -1 })).toBeNull()
    expect(() => eoq({ annualDemand: -5, orderCost: 100, holdingCostPerUnitYear: 6 })).toThrow(/annualDemand/)
  })
})

describe('cover and stock-out date', () => {
  it('days of cover = available / d̄, 0 when nothing is available, null with no demand', () => {
    expect(daysOfCover(100, 8)).toBe(12.5)
    expect(daysOfCover(0, 8)).toBe(0)
    expect(daysOfCover(-30, 8)).toBe(0)
    expect(daysOfCover(100, 0)).toBeNull()
    expect(() => daysOfCover(100, -1)).toThrow(RangeError)
  })

  it('projects the stock-out from the given day, never from the wall clock', () => {
    const today = new Date('2026-03-01T00:00:00Z')
    expect(projectedStockoutDate(100, 8, today)?.toISOString()).toBe('2026-03-13T12:00:00.000Z')
    expect(projectedStockoutDate(-5, 8, today)?.toISOString()).toBe('2026-03-01T00:00:00.000Z')
    expect(projectedStockoutDate(100, 0, today)).toBeNull()
  })
})

describe('abcClasses', () => {
  const classes = (items: { key: string; revenue: number }[]) =>
    Object.fromEntries(abcClasses(items).map((item) => [item.key, item.abcClass]))

  it('counts the item itself: exactly 80% is A, exactly 95% is B, beyond is C', () => {
    const result = abcClasses([
      { key: 'e', revenue: 3 },
      { key: 'a', revenue: 50 },
      { key: 'c', revenue: 10 },
      { key: 'f', revenue: 2 },
      { key: 'b', revenue: 30 },
      { key: 'd', revenue: 5 },
    ])
    expect(result.map((item) => [item.key, item.abcClass, item.cumulativeShare])).toEqual([
      ['a', 'A', 0.5],
      ['b', 'A', 0.8],
      ['c', 'B', 0.9],
      ['d', 'B', 0.95],
      ['e', 'C', 0.98],
      ['f', 'C', 1],
    ])
  })

  it('puts the item that crosses 80% in B', () => {
    expect(
      classes([
        { key: 'a', revenue: 50 },
        { key: 'b', revenue: 31 },
        { key: 'c', revenue: 19 },
      ]),
    ).toEqual({ a: 'A', b: 'B', c: 'C' })
  })

  it('keeps a single dominant item in A even though it alone passes 80%', () => {
    expect(
      classes([
        { key: 'gin', revenue: 90 },
        { key: 'tonic', revenue: 6 },
        { key: 'bitters', revenue: 4 },
      ]),
    ).toEqual({ gin: 'A', tonic: 'C', bitters: 'C' })
    expect(classes([{ key: 'only', revenue: 10 }])).toEqual({ only: 'A' })
  })

  it('is not pushed over a boundary by float noise (0.35+0.25+0.2+0.15 sums to 0.9500000000000001)', () => {
    expect(
      classes([
        { key: 'a', revenue: 0.35 },
        { key: 'b', revenue: 0.25 },
        { key: 'c', revenue: 0.2 },
        { key: 'd', revenue: 0.15 },
        { key: 'e', revenue: 0.05 },
      ]),
    ).toEqual({ a: 'A', b: 'A', c: 'A', d: 'B', e: 'C' })
  })

  it('breaks revenue ties by key, classes everything C without revenue, and handles no items', () => {
    expect(
      abcClasses([
        { key: 'y', revenue: 40 },
        { key: 'x', revenue: 40 },
        { key: 'z', revenue: 20 },
      ]).map((item) => item.key),
    ).toEqual(['x', 'y', 'z'])
    expect(
      classes([
        { key: 'a', revenue: 0 },
        { key: 'b', revenue: 0 },
      ]),
    ).toEqual({ a: 'C', b: 'C' })
    expect(abcClasses([])).toEqual([])
    expect(() => abcClasses([{ key: 'refunds', revenue: -5 }])).toThrow(/revenue of refunds/)
  })
})

describe('isCritical', () => {
  const base = { safetyStock: 50, meanDailyDemand: 10, leadTimeDays: 14 }

  it('flags a stock-out inside the lead time: 100 available lasts 10 days < 14', () => {
    expect(isCritical({ ...base, onHand: 120, reserved: 20 })).toEqual({
      critical: true,
      available: 100,
      daysOfCover: 10,
      reasons: ['stockout_within_lead_time'],
    })
  })

  it('gives both reasons when available (60 − 20 = 40) is below safety stock 50 too', () => {
    expect(isCritical({ ...base, onHand: 60, reserved: 20 }).reasons).toEqual([
      'below_safety_stock',
      'stockout_within_lead_time',
    ])
  })

  it('is not critical with 40 days of cover, nor when cover exactly equals the lead time', () => {
    expect(isCritical({ ...base, onHand: 400, reserved: 0 })).toMatchObject({ critical: false, reasons: [] })
    expect(isCritical({ ...base, onHand: 140, reserved: 0 })).toMatchObject({
      critical: false,
      daysOfCover: 14,
    })
  })

  it('without demand only the safety-stock rule applies', () => {
    const verdict = isCritical({
      onHand: 10,
      reserved: 0,
      safetyStock: 20,
      meanDailyDemand: 0,
      leadTimeDays: 14,
    })
    expect(verdict).toEqual({
      critical: true,
      available: 10,
      daysOfCover: null,
      reasons: ['below_safety_stock'],
    })
    expect(
      isCritical({ onHand: 30, reserved: 0, safetyStock: 20, meanDailyDemand: 0, leadTimeDays: 14 }).critical,
    ).toBe(false)
  })
})

describe('reorderQuantity', () => {
  const base = { openPurchase: 0, openProduction: 0, moq: 0, batchSize: 0 }

  it('need 500 + 50 − 120 − 100 = 330, MOQ 200, batches of 120 → 3 batches = 360', () => {
    expect(
      reorderQuantity({
        forecastDemandOverHorizon: 500,
        safetyStock: 50,
        available: 120,
        openPurchase: 100,
        openProduction: 0,
        moq: 200,
        batchSize: 120,
      }),
    ).toBe(360)
  })

  it('raises a small need to the MOQ, then to a whole batch: need 30, MOQ 50, batch 40 → 80', () => {
    expect(
      reorderQuantity({
        ...base,
        forecastDemandOverHorizon: 30,
        safetyStock: 0,
        available: 0,
        moq: 50,
        batchSize: 40,
      }),
    ).toBe(80)
    expect(
      reorderQuantity({ ...base, forecastDemandOverHorizon: 30, safetyStock: 0, available: 0, moq: 100 }),
    ).toBe(100)
  })

  it('orders whole units without a batch size: 12.3 needed → 13', () => {
    expect(reorderQuantity({ ...base, forecastDemandOverHorizon: 12.3, safetyStock: 0, available: 0 })).toBe(
      13,
    )
  })

  it('counts open production and negative availability (over-reserved stock)', () => {
    expect(
      reorderQuantity({
        ...base,
        forecastDemandOverHorizon: 100,
        safetyStock: 20,
        available: -10,
        openProduction: 60,
      }),
    ).toBe(70)
  })

  it('orders nothing when stock and open orders cover demand plus safety stock, whatever the MOQ', () => {
    const covered = { forecastDemandOverHorizon: 300, safetyStock: 50, available: 200, openPurchase: 150 }
    expect(reorderQuantity({ ...base, ...covered, moq: 500, batchSize: 100 })).toBe(0)
    expect(reorderQuantity({ ...base, ...covered, available: 400, moq: 500 })).toBe(0)
  })

  it('rejects negative quantities', () => {
    expect(() =>
      reorderQuantity({ ...base, forecastDemandOverHorizon: 10, safetyStock: 0, available: 0, moq: -1 }),
    ).toThrow(/moq must be a number ≥ 0/)
  })
})
