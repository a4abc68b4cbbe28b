import type { AppContext } from '../../context.ts'
import { BUSINESS_EVENTS } from '../orders/events.ts'

export interface BusinessEvent {
  id: string
  type: string
  at: string
  data: unknown
}

/** How many recent events a reconnecting client can catch up on. */
const KEEP = 1000

/**
 * The recent business events this process has seen on the bus (from every replica when Redis
 * carries it), kept so a client that reconnects with `Last-Event-ID` gets what it missed.
 */
export class EventLog {
  readonly #events: BusinessEvent[] = []
  readonly #listeners = new Set<(event: BusinessEvent) => void>()
  #unsubscribe: (() => void) | undefined

  start(ctx: AppContext): void {
    this.#unsubscribe = ctx.bus.subscribe(BUSINESS_EVENTS, (message) => {
      const event = message as BusinessEvent
      if (typeof event?.id !== 'string' || typeof event.type !== 'string') return
      this.#events.push(event)
      if (this.#events.length > KEEP) this.#events.shift()
      for (const listener of this.#listeners) listener(event)
    })
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#listeners.clear()
  }

  /** Events after `lastId`, or null when that id is no longer (or never was) kept. */
  since(lastId: string): BusinessEvent[] | null {
    const at = this.#events.findIndex((event) => event.id === lastId)
    return at < 0 ? null : this.#events.slice(at + 1)
  }

  recent(): BusinessEvent[] {
    return [...this.#events]
  }

  listen(listener: (event: BusinessEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}

const logs = new WeakMap<AppContext, EventLog>()

export function eventLogOf(ctx: AppContext): EventLog {
  let log = logs.get(ctx)
  if (!log) {
    log = new EventLog()
    logs.set(ctx, log)
  }
  return log
}

/** One event in the text/event-stream format. */
export const frame = (event: BusinessEvent) =>
  `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify({ at: event.at, ...((event.data as object) ?? {}) })}\n\n`
