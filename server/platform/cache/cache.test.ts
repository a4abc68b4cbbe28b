import { randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { TestClock } from '../../../test/clock.ts'
import { silentLogger } from '../../../test/template.ts'
import { type Bus, MemoryBus, RedisBus } from '../bus/bus.ts'
import { type Cache, MemoryCache, RedisCache } from './cache.ts'
import { connectRedis } from './redis.ts'

const redisUrl = process.env.REDIS_URL

function nextMessage(bus: Bus, channel: string): Promise<unknown> {
  return new Promise((resolve) => {
    const off = bus.subscribe(channel, (message) => {
      off()
      resolve(message)
    })
  })
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read()
    if (accept(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return read()
}

describe('MemoryCache', () => {
  it('stores JSON values until their time-to-live passes', async () => {
    const clock = new TestClock()
    const cache: Cache = new MemoryCache(() => clock.ms())
    await cache.set('k', { a: 1 }, 10)
    expect(await cache.get('k')).toEqual({ a: 1 })
    clock.advance(9_999)
    expect(await cache.get('k')).toEqual({ a: 1 })
    clock.advance(1)
    expect(await cache.get('k')).toBeUndefined()
    await cache.set('k', 2, 10)
    await cache.delete('k')
    expect(await cache.get('k')).toBeUndefined()
    expect(await cache.health()).toMatchObject({ status: 'ok', kind: 'memory' })
  })
})

describe('MemoryBus', () => {
  it('delivers published messages to subscribers until they unsubscribe', async () => {
    const bus = new MemoryBus()
    const received: unknown[] = []
    const off = bus.subscribe('orders', (m) => received.push(m))
    await bus.publish('orders', { id: 1 })
    off()
    await bus.publish('orders', { id: 2 })
    expect(received).toEqual([{ id: 1 }])
  })
})

describe('Redis unreachable', () => {
  // Port 1 on loopback: nothing listens there, so every connection is refused at once.
  const redis = connectRedis('redis://127.0.0.1:1', silentLogger, 'test')
  const cache = new RedisCache(redis, silentLogger)
  const bus = new RedisBus(
    redis,
    connectRedis('redis://127.0.0.1:1', silentLogger, 'sub', 'subscriber'),
    silentLogger,
  )
  afterAll(() => bus.close())

  it('treats reads as misses, drops writes and reports degraded, without throwing', async () => {
    await expect(cache.set('k', 1, 10)).resolves.toBeUndefined()
    await expect(cache.get('k')).resolves.toBeUndefined()
    await expect(cache.delete('k')).resolves.toBeUndefined()
    const health = await cache.health()
    expect(health).toMatchObject({ status: 'degraded', required: false, kind: 'redis' })
    expect(health.message).toMatch(/redis unreachable/)
  })

  it('still delivers to subscribers in this process', async () => {
    const message = nextMessage(bus, 'local')
    await bus.publish('local', { ok: true })
    expect(await message).toEqual({ ok: true })
  })
})

describe.skipIf(!redisUrl)('Redis cache and bus (REDIS_URL)', () => {
  const prefix = `test:${randomUUID()}:`
  const a = connectRedis(redisUrl!, silentLogger, 'a')
  const b = connectRedis(redisUrl!, silentLogger, 'b')
  const cacheA = new RedisCache(a, silentLogger, prefix)
  const cacheB = new RedisCache(b, silentLogger, prefix)
  const busA = new RedisBus(
    a,
    connectRedis(redisUrl!, silentLogger, 'a-sub', 'subscriber'),
    silentLogger,
    prefix,
  )
  const busB = new RedisBus(
    b,
    connectRedis(redisUrl!, silentLogger, 'b-sub', 'subscriber'),
    silentLogger,
    prefix,
  )
  afterAll(async () => {
    await busA.close()
    await busB.close()
  })

  it('shares entries between connections, with expiry', async () => {
    await eventually(
      () => cacheA.health(),
      (h) => h.status === 'ok',
    )
    await cacheA.set('shared', { n: 7 }, 60)
    expect(await cacheB.get('shared')).toEqual({ n: 7 })
    await cacheB.delete('shared')
    expect(await cacheA.get('shared')).toBeUndefined()
    expect(await cacheA.health()).toMatchObject({ status: 'ok', kind: 'redis' })
  })

  it('fans a message out to subscribers of another connection exactly once', async () => {
    const received: unknown[] = []
    const off = busB.subscribe('events', (m) => received.push(m))
    const local: unknown[] = []
    const offLocal = busA.subscribe('events', (m) => local.push(m))
    // wait until B's subscription is live on the server
    await eventually(
      async () => {
        await busA.publish('events', { probe: true })
        return received.length
      },
      (n) => n > 0,
    )
    const orders = (list: unknown[]) => list.filter((m) => !(m as { probe?: boolean }).probe)
    await busA.publish('events', { order: 1 })
    await eventually(
      async () => orders(received).length,
      (n) => n >= 1,
    )
    expect(orders(received)).toEqual([{ order: 1 }])
    expect(orders(local)).toEqual([{ order: 1 }])
    off()
    offLocal()
  })
})
