import type { Redis } from 'ioredis'
import type { ComponentHealth } from '../health-types.ts'
import { elapsedMs } from '../numbers.ts'
import type { Logger } from '../observability/logger.ts'

/**
 * A shared key/value cache. Reads that fail count as misses and writes that fail are dropped,
 * so an unavailable Redis slows the app down but never fails a request.
 */
export interface Cache {
  readonly kind: 'redis' | 'memory'
  get<T>(key: string): Promise<T | undefined>
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>
  delete(key: string): Promise<void>
  health(): Promise<ComponentHealth>
}

export class MemoryCache implements Cache {
  readonly kind = 'memory'
  readonly #entries = new Map<string, { value: string; expiresAt: number }>()

  constructor(private readonly now: () => number = Date.now) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key)
      return undefined
    }
    return JSON.parse(entry.value) as T
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.#entries.set(key, { value: JSON.stringify(value), expiresAt: this.now() + ttlSeconds * 1000 })
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key)
  }

  async health(): Promise<ComponentHealth> {
    return { status: 'ok', required: false, kind: 'memory', message: 'in-process (one replica only)' }
  }
}

export class RedisCache implements Cache {
  readonly kind = 'redis'

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly prefix = 'sentia:cache:',
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const value = await this.redis.get(this.prefix + key)
      return value === null ? undefined : (JSON.parse(value) as T)
    } catch (error) {
      this.logger.debug({ err: error, key }, 'cache read failed; treating as miss')
      return undefined
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(this.prefix + key, JSON.stringify(value), 'EX', Math.max(1, Math.ceil(ttlSeconds)))
    } catch (error) {
      this.logger.debug({ err: error, key }, 'cache write failed; dropped')
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.redis.del(this.prefix + key)
    } catch (error) {
      this.logger.debug({ err: error, key }, 'cache delete failed')
    }
  }

  async health(): Promise<ComponentHealth> {
    const started = performance.now()
    try {
      await this.redis.ping()
      return { status: 'ok', required: false, kind: 'redis', latencyMs: elapsedMs(started) }
    } catch (error) {
      return {
        status: 'degraded',
        required: false,
        kind: 'redis',
        latencyMs: elapsedMs(started),
        message: `redis unreachable (${(error as Error).message}); cache and fan-out fall back to this process`,
      }
    }
  }
}
