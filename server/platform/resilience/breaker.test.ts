import { afterEach, describe, expect, it } from 'vitest'
import { BreakerOpenError, CircuitBreaker } from './breaker.ts'

const policy = { errorThresholdPercentage: 50, volumeThreshold: 3, windowMs: 60_000, resetTimeoutMs: 60_000 }
const fail =
  (message = 'down') =>
  () =>
    Promise.reject(new Error(message))
const succeed = () => Promise.resolve('ok')

describe('CircuitBreaker', () => {
  const breakers: CircuitBreaker[] = []
  const make = (options: Partial<ConstructorParameters<typeof CircuitBreaker>[1]> = {}) => {
    const breaker = new CircuitBreaker('test', { policy, ...options })
    breakers.push(breaker)
    return breaker
  }
  afterEach(() => {
    for (const breaker of breakers.splice(0)) breaker.shutdown()
  })

  it('opens once the window holds enough calls and more than half failed, then refuses without calling', async () => {
    let at = new Date('2026-01-05T09:00:00Z')
    const breaker = make({ now: () => at })
    await expect(breaker.run(succeed)).resolves.toBe('ok')
    await expect(breaker.run(fail())).rejects.toThrow('down')
    expect(breaker.state).toBe('closed') // 2 calls: below the volume threshold
    at = new Date('2026-01-05T09:05:00Z')
    await expect(breaker.run(fail())).rejects.toThrow('down') // 2 of 3 failed: 67% > 50%
    expect(breaker.state).toBe('open')
    expect(breaker.since.toISOString()).toBe('2026-01-05T09:05:00.000Z')

    let called = false
    const refused = breaker.run(async () => {
      called = true
    })
    await expect(refused).rejects.toBeInstanceOf(BreakerOpenError)
    await expect(refused).rejects.toThrow('open (since 2026-01-05T09:05:00.000Z)')
    expect(called).toBe(false)
    expect(breaker.counts).toEqual({ calls: 3, failures: 2, rejected: 1 })

    breaker.close()
    expect(breaker.state).toBe('closed')
    await expect(breaker.run(succeed)).resolves.toBe('ok')
  })

  it('does not count errors that say nothing about the service', async () => {
    const breaker = make({ countsAsFailure: (error) => (error as Error).message !== 'refused' })
    for (let i = 0; i < 5; i++) await expect(breaker.run(fail('refused'))).rejects.toThrow('refused')
    expect(breaker.state).toBe('closed')
    expect(breaker.counts.failures).toBe(0)
  })

  it('can be opened by hand', async () => {
    const breaker = make()
    breaker.open()
    expect(breaker.state).toBe('open')
    await expect(breaker.run(succeed)).rejects.toBeInstanceOf(BreakerOpenError)
  })
})
