import type { Clock } from '../clock.ts'
import { round } from '../numbers.ts'
import { LatencyHistogram } from './latency-histogram.ts'

/**
 * Rolling request statistics kept in 10-second slots for the last 15 minutes: rate, error rate
 * (5xx) and latency percentiles overall and per route. Feeds /api/metrics.
 */

const SLOT_MS = 10_000
const SLOTS = 90

interface Counter {
  count: number
  errors: number
  latency: LatencyHistogram
}

interface Slot {
  start: number
  all: Counter
  routes: Map<string, Counter>
}

export interface WindowSummary {
  windowSeconds: number
  requests: number
  requestsPerSecond: number
  errors: number
  errorRate: number | null
  p50Ms: number | null
  p95Ms: number | null
  p99Ms: number | null
}

export interface RouteSummary {
  route: string
  requests: number
  errors: number
  errorRate: number
  p95Ms: number | null
}

const emptyCounter = (): Counter => ({ count: 0, errors: 0, latency: new LatencyHistogram() })

export class RequestStats {
  readonly #slots: Slot[] = []
  readonly #startedAt: number

  constructor(private readonly clock: Clock) {
    this.#startedAt = clock.ms()
  }

  record(route: string, status: number, durationMs: number): void {
    const slot = this.#currentSlot()
    const failed = status >= 500
    count(slot.all, failed, durationMs)
    count(routeCounter(slot, route), failed, durationMs)
  }

  summary(windowSeconds: number): WindowSummary {
    const merged = emptyCounter()
    for (const slot of this.#slotsWithin(windowSeconds)) merge(merged, slot.all)
    const covered = Math.min(windowSeconds, Math.max(1, (this.clock.ms() - this.#startedAt) / 1000))
    return {
      windowSeconds,
      requests: merged.count,
      requestsPerSecond: round(merged.count / covered),
      errors: merged.errors,
      errorRate: merged.count === 0 ? null : round(merged.errors / merged.count, 4),
      p50Ms: merged.latency.quantile(0.5),
      p95Ms: merged.latency.quantile(0.95),
      p99Ms: merged.latency.quantile(0.99),
    }
  }

  /** Per-route figures over the window, for "slowest" and "most failing" lists. */
  routes(windowSeconds: number): RouteSummary[] {
    const byRoute = new Map<string, Counter>()
    for (const slot of this.#slotsWithin(windowSeconds)) {
      for (const [route, counter] of slot.routes) {
        const target = byRoute.get(route) ?? emptyCounter()
        byRoute.set(route, target)
        merge(target, counter)
      }
    }
    return [...byRoute].map(([route, c]) => ({
      route,
      requests: c.count,
      errors: c.errors,
      errorRate: round(c.errors / c.count, 4),
      p95Ms: c.latency.quantile(0.95),
    }))
  }

  #currentSlot(): Slot {
    const start = Math.floor(this.clock.ms() / SLOT_MS) * SLOT_MS
    const last = this.#slots.at(-1)
    if (last && last.start === start) return last
    const slot: Slot = { start, all: emptyCounter(), routes: new Map() }
    this.#slots.push(slot)
    while (
      this.#slots.length > SLOTS ||
      (this.#slots[0] && this.#slots[0].start <= start - SLOTS * SLOT_MS)
    ) {
      this.#slots.shift()
    }
    return slot
  }

  #slotsWithin(windowSeconds: number): Slot[] {
    const from = this.clock.ms() - windowSeconds * 1000
    return this.#slots.filter((slot) => slot.start + SLOT_MS > from)
  }
}

function count(counter: Counter, failed: boolean, durationMs: number): void {
  counter.count += 1
  if (failed) counter.errors += 1
  counter.latency.record(durationMs)
}

function routeCounter(slot: Slot, route: string): Counter {
  let counter = slot.routes.get(route)
  if (counter === undefined) {
    counter = emptyCounter()
    slot.routes.set(route, counter)
  }
  return counter
}

function merge(target: Counter, source: Counter): void {
  target.count += source.count
  target.errors += source.errors
  target.latency.add(source.latency)
}
