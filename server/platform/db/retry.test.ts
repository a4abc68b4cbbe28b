import { describe, expect, it } from 'vitest'
import { isTransientConflict, retryOnConflict } from './retry.ts'

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code })

describe('retryOnConflict', () => {
  it('runs a deadlock victim again until it succeeds', async () => {
    let calls = 0
    const result = await retryOnConflict(async () => {
      calls += 1
      if (calls < 3) throw pgError(calls === 1 ? '40P01' : '40001')
      return 'booked'
    })
    expect(result).toBe('booked')
    expect(calls).toBe(3)
  })

  it('passes any other error on at once', async () => {
    let calls = 0
    await expect(
      retryOnConflict(async () => {
        calls += 1
        throw pgError('23505')
      }),
    ).rejects.toMatchObject({ code: '23505' })
    expect(calls).toBe(1)
  })

  it('gives up after the last attempt with the database error', async () => {
    let calls = 0
    await expect(
      retryOnConflict(async () => {
        calls += 1
        throw pgError('40P01')
      }, 3),
    ).rejects.toMatchObject({ code: '40P01' })
    expect(calls).toBe(3)
    expect(isTransientConflict(null)).toBe(false)
  })
})
