import { EventEmitter } from 'node:events'
import type { Redis } from 'ioredis'
import type { Logger } from '../observability/logger.ts'

/**
 * Publish/subscribe between the replicas of the app (live updates, invalidations).
 * In-process without Redis; over Redis pub/sub with it. A publish that cannot reach Redis
 * is still delivered to this process's own subscribers.
 */
export type BusHandler = (message: unknown) => void

export interface Bus {
  readonly kind: 'redis' | 'memory'
  publish(channel: string, message: unknown): Promise<void>
  subscribe(channel: string, handler: BusHandler): () => void
  close(): Promise<void>
}

export class MemoryBus implements Bus {
  readonly kind = 'memory'
  protected readonly emitter = new EventEmitter().setMaxListeners(0)

  async publish(channel: string, message: unknown): Promise<void> {
    this.emitter.emit(channel, message)
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    this.emitter.on(channel, handler)
    return () => this.emitter.off(channel, handler)
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners()
  }
}

interface Envelope {
  origin: string
  message: unknown
}

export class RedisBus implements Bus {
  readonly kind = 'redis'
  readonly #local = new EventEmitter().setMaxListeners(0)
  readonly #origin = `${process.pid}-${Math.random().toString(36).slice(2)}`

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly logger: Logger,
    private readonly prefix = 'sentia:bus:',
  ) {
    subscriber.on('message', (redisChannel: string, raw: string) => {
      try {
        const envelope = JSON.parse(raw) as Envelope
        if (envelope.origin === this.#origin) return // delivered locally already
        this.#local.emit(redisChannel.slice(this.prefix.length), envelope.message)
      } catch (error) {
        this.logger.warn({ err: error, channel: redisChannel }, 'bus message could not be parsed')
      }
    })
  }

  async publish(channel: string, message: unknown): Promise<void> {
    this.#local.emit(channel, message)
    try {
      await this.publisher.publish(this.prefix + channel, JSON.stringify({ origin: this.#origin, message }))
    } catch (error) {
      this.logger.debug({ err: error, channel }, 'bus publish to redis failed; delivered locally only')
    }
  }

  subscribe(channel: string, handler: BusHandler): () => void {
    if (this.#local.listenerCount(channel) === 0) {
      // ioredis re-subscribes by itself after a reconnect.
      this.subscriber.subscribe(this.prefix + channel).catch((error: Error) => {
        this.logger.warn({ err: error, channel }, 'bus subscribe failed; will retry on reconnect')
      })
    }
    this.#local.on(channel, handler)
    return () => {
      this.#local.off(channel, handler)
      if (this.#local.listenerCount(channel) === 0) {
        this.subscriber.unsubscribe(this.prefix + channel).catch(() => {})
      }
    }
  }

  async close(): Promise<void> {
    this.#local.removeAllListeners()
    // The publisher connection is shared with the cache; the bus closes last, so it owns both.
    this.subscriber.disconnect()
    this.publisher.disconnect()
  }
}
