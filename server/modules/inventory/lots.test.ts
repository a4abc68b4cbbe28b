import { describe, expect, it } from 'vitest'
import { daysBetween, type LotBalance, remainingByLot } from './lots.ts'

const lot = (name: string, net: number, expiresOn: string | null, firstAt: string): LotBalance => ({
  lot: name,
  net,
  expiresOn,
  firstAt: new Date(`${firstAt}T08:00:00Z`),
})

describe('remainingByLot', () => {
  const a = lot('A', 40, '2026-05-01', '2026-01-10')
  const b = lot('B', 60, '2026-06-01', '2026-02-10')

  it('gives the on-hand stock to the lots that arrived last; the oldest went first', () => {
    // 40 + 60 = 100 in lots, 70 on hand: the 30 that went were A's
    expect(remainingByLot(70, [b, a])).toEqual([
      { lot: 'A', expiresOn: '2026-05-01', remaining: 10 },
      { lot: 'B', expiresOn: '2026-06-01', remaining: 60 },
    ])
    // 30 on hand: all of A and 30 of B went
    expect(remainingByLot(30, [a, b]).map((l) => l.remaining)).toEqual([0, 30])
  })

  it('leaves every lot whole when on hand covers them (the rest has no lot)', () => {
    expect(remainingByLot(130, [a, b]).map((l) => l.remaining)).toEqual([40, 60])
  })

  it('never charges a sale to a lot that arrived after it, even one expiring sooner', () => {
    // 100 of A arrived, 70 were sold (30 left), then 24 short-dated units of N: 54 on hand
    const old = lot('A', 100, '2026-09-01', '2026-01-10')
    const late = lot('N', 24, '2026-03-20', '2026-03-01')
    expect(remainingByLot(54, [old, late])).toEqual([
      { lot: 'A', expiresOn: '2026-09-01', remaining: 30 },
      { lot: 'N', expiresOn: '2026-03-20', remaining: 24 },
    ])
  })

  it('between lots that arrived together, takes from the one expiring first', () => {
    const june = lot('J', 20, '2026-06-20', '2026-02-01')
    const may = lot('M', 20, '2026-05-20', '2026-02-01')
    const undated = lot('U', 20, null, '2026-02-01')
    // 60 in lots, 25 on hand: M's 20 and 15 of J went; U (no expiry) is kept first
    expect(remainingByLot(25, [june, undated, may])).toEqual([
      { lot: 'M', expiresOn: '2026-05-20', remaining: 0 },
      { lot: 'J', expiresOn: '2026-06-20', remaining: 5 },
      { lot: 'U', expiresOn: null, remaining: 20 },
    ])
  })

  it('ignores lots that hold nothing and leaves nothing when nothing is on hand', () => {
    const out = lot('OUT', -10, '2026-04-01', '2026-03-01')
    const empty = lot('EMPTY', 0, '2026-04-01', '2026-03-01')
    expect(remainingByLot(25, [out, empty, a])).toEqual([
      { lot: 'A', expiresOn: '2026-05-01', remaining: 25 },
    ])
    expect(remainingByLot(0, [a, b]).map((l) => l.remaining)).toEqual([0, 0])
    expect(remainingByLot(-5, [a]).map((l) => l.remaining)).toEqual([0])
  })
})

describe('daysBetween', () => {
  it('counts whole calendar days, negative once the day has passed', () => {
    expect(daysBetween('2026-03-10', '2026-03-10')).toBe(0)
    expect(daysBetween('2026-03-10', '2026-04-09')).toBe(30)
    expect(daysBetween('2026-03-10', '2026-03-01')).toBe(-9)
    expect(daysBetween('2026-03-10', '2026-05-20')).toBe(71) // 21 + 30 + 20
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2) // across the clocks going forward in Europe
  })
})
