import { describe, expect, it } from 'vitest'
import { singleFlight } from './cached.ts'

describe('singleFlight', () => {
  it('shares one call among callers that overlap it, and starts a new one after it settles', async () => {
    let calls = 0
    let finish: (value: number) => void = () => {}
    const read = singleFlight(() => {
      calls++
      return new Promise<number>((resolve) => {
        finish = resolve
      })
    })
    const first = read()
    const second = read()
    expect(calls).toBe(1)
    finish(7)
    expect(await Promise.all([first, second])).toEqual([7, 7])
    const third = read()
    expect(calls).toBe(2)
    finish(8)
    expect(await third).toBe(8)
  })

  it('lets a failure reach every caller that shared it, and does not keep it', async () => {
    let calls = 0
    const read = singleFlight(async () => {
      calls++
      if (calls === 1) throw new Error('down')
      return 'up'
    })
    await expect(Promise.all([read(), read()])).rejects.toThrow('down')
    expect(calls).toBe(1)
    expect(await read()).toBe('up')
  })
})
