import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
      done()
    },
  })
  return { lines, stream }
}

describe('createLogger', () => {
  it('writes JSON lines and masks secret values and credential headers', () => {
    const { lines, stream } = capture()
    const logger = createLogger({ logLevel: 'info', env: 'production', secrets: ['hunter2-secret'] }, stream)
    logger.info(
      { req: { headers: { authorization: 'Bearer abc', cookie: 'sid=1' } } },
      'connecting with hunter2-secret',
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'connecting with [redacted]' })
    expect(JSON.stringify(lines[0])).not.toContain('hunter2-secret')
    expect(JSON.stringify(lines[0])).not.toContain('Bearer abc')
    expect(typeof lines[0]!.time).toBe('string')
  })

  it('respects the level', () => {
    const { lines, stream } = capture()
    const logger = createLogger({ logLevel: 'warn', env: 'production', secrets: [] }, stream)
    logger.info('hidden')
    logger.warn('shown')
    expect(lines.map((l) => l.msg)).toEqual(['shown'])
  })
})
