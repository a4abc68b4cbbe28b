import { describe, expect, it } from 'vitest'
import { holdTickObjectShape } from './tick-object-shape.ts'

describe('holdTickObjectShape', () => {
  it("holds one of Node's nextTick records, and the same one on a second call", async () => {
    const record = await holdTickObjectShape()
    // The shape process.nextTick gives its records: two async-id symbols, then callback and args
    // (an AsyncLocalStorage in use elsewhere in the process adds its own symbols after them).
    const symbols = Object.getOwnPropertySymbols(record).map((symbol) => symbol.description)
    expect(symbols.slice(0, 2)).toEqual(['async_id_symbol', 'trigger_async_id_symbol'])
    expect(Object.keys(record)).toEqual(['callback', 'args'])
    expect(await holdTickObjectShape()).toBe(record)
  })
})
