import { describe, expect, it } from 'vitest'
import { runSteps, type Step } from './steps.ts'

function run(steps: Step<string[], string>[]): Promise<{ calls: string[]; error: Error | undefined }> {
  const calls: string[] = []
  return new Promise((resolve) => runSteps(steps, calls, 'x', (error) => resolve({ calls, error })))
}

describe('runSteps', () => {
  it('runs synchronous steps in order and calls done at once', () => {
    const calls: string[] = []
    let finished = false
    const step = (name: string) => (log: string[]) => {
      log.push(name)
      return undefined
    }
    runSteps([step('a'), step('b')], calls, 'x', () => {
      finished = true
    })
    expect(calls).toEqual(['a', 'b'])
    expect(finished).toBe(true)
  })

  it('waits for a step that returns a promise before the next one', async () => {
    const result = await run([
      async (log) => {
        await new Promise((resolve) => setImmediate(resolve))
        log.push('slow')
      },
      (log, arg) => {
        log.push(`then ${arg}`)
        return undefined
      },
    ])
    expect(result).toEqual({ calls: ['slow', 'then x'], error: undefined })
  })

  it('passes a rejection to done and skips the remaining steps', async () => {
    const refused = new Error('refused')
    const result = await run([
      () => Promise.reject(refused),
      (log) => {
        log.push('not reached')
        return undefined
      },
    ])
    expect(result).toEqual({ calls: [], error: refused })
  })
})
