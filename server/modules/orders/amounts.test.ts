import { describe, expect, it } from 'vitest'
import { newOrderId, newOrderIds } from './amounts.ts'

describe('order ids', () => {
  it('are ord_ and 18 base-32 digits, distinct within a call', () => {
    const ids = newOrderIds(5_000, Date.now())
    for (const id of ids) expect(id).toMatch(/^ord_[0-9a-hjkmnp-tv-z]{18}$/)
    expect(new Set(ids).size).toBe(5_000)
    expect(newOrderId(Date.now())).toMatch(/^ord_[0-9a-hjkmnp-tv-z]{18}$/)
  })

  it('sort in the order they were made, by time first', () => {
    const earlier = newOrderIds(3, Date.UTC(2026, 0, 1))
    const later = newOrderIds(3, Date.UTC(2026, 0, 1) + 1)
    const all = [...earlier, ...later]
    // one call counts up (a start within 3 of 2^40 would wrap, once in 3.7e11 calls)
    expect([...all].sort()).toEqual(all)
    expect(later[0]!.slice(4, 14) > earlier[0]!.slice(4, 14)).toBe(true)
  })
})
