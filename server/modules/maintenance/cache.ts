import type { AppContext } from '../../context.ts'
import { definitionOf, windowsNotOver } from './repo.ts'
import { expand, type MaintenanceOccurrence, type WindowDefinition } from './schedule.ts'

/**
 * The windows that are not over, held in memory on every replica so the read-only check and the
 * banner cost no query: read again when older than `REFRESH_MS` (by the context's clock) and at
 * once after a change (this process directly, other replicas through the bus). If the database
 * cannot be read, the last known list is used and reading is retried every `RETRY_MS`.
 */
export const MAINTENANCE_CHANNEL = 'maintenance.changed'
export const REFRESH_MS = 30_000
const RETRY_MS = 5000
/** Occurrences are expanded once for this much time past the notice period, then reused. */
const SPAN_MS = 60 * 60_000

export class MaintenanceSchedule {
  #windows: WindowDefinition[] = []
  /** Clock time of the last read (or failed read, set so a retry waits RETRY_MS). */
  #readAt = Number.NEGATIVE_INFINITY
  /** Bumped by every change, so a read that began before it does not count as fresh. */
  #version = 0
  /** The read in flight, shared by the requests that arrive meanwhile. */
  #reading: { version: number; done: Promise<void> } | undefined
  #expanded: { from: number; to: number; occurrences: MaintenanceOccurrence[] } | undefined
  #unsubscribe: (() => void) | undefined

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    this.#unsubscribe ??= this.ctx.bus.subscribe(MAINTENANCE_CHANNEL, () => this.invalidate())
  }

  stop(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** Forget what is known; the next use reads the windows again. */
  invalidate(): void {
    this.#version += 1
    this.#readAt = Number.NEGATIVE_INFINITY
    this.#expanded = undefined
  }

  /** True while the windows in memory may be used without reading them again. */
  get fresh(): boolean {
    const age = this.ctx.clock.ms() - this.#readAt
    return age >= 0 && age < REFRESH_MS
  }

  /** Reads the windows when they are not fresh; never throws. */
  async ensureFresh(): Promise<void> {
    // A change during a read makes that read stale; a second one is then made, not a third.
    for (let i = 0; i < 2 && !this.fresh; i++) await this.#read()
  }

  #read(): Promise<void> {
    if (this.#reading?.version === this.#version) return this.#reading.done
    const version = this.#version
    const done = windowsNotOver(this.ctx.db, this.ctx.clock.now()).then(
      (rows) => {
        if (version !== this.#version) return
        this.#windows = rows.map(definitionOf)
        this.#readAt = this.ctx.clock.ms()
        this.#expanded = undefined
      },
      (error) => {
        this.ctx.logger.warn({ err: error }, 'maintenance windows could not be read; using the last known')
        if (version === this.#version) this.#readAt = this.ctx.clock.ms() - REFRESH_MS + RETRY_MS
      },
    )
    const reading = {
      version,
      done: done.finally(() => {
        if (this.#reading === reading) this.#reading = undefined
      }),
    }
    this.#reading = reading
    return reading.done
  }

  /** Occurrences overlapping [now, now + aheadMs], from the memory (expanded again when needed). */
  occurrences(now: number, aheadMs: number): MaintenanceOccurrence[] {
    const expanded = this.#expanded
    if (expanded && now >= expanded.from && now + aheadMs < expanded.to) return expanded.occurrences
    const to = now + aheadMs + SPAN_MS
    const occurrences = expand(this.#windows, { from: new Date(now), to: new Date(to) })
    this.#expanded = { from: now, to, occurrences }
    return occurrences
  }

  /**
   * When read-only mode ends if it is on at `now` (the latest end of the read-only occurrences
   * in progress, carried on through read-only occurrences that begin before it), else null.
   */
  readOnlyUntil(now: number): Date | null {
    let until: number | null = null
    for (const o of this.occurrences(now, 0)) {
      if (!o.readOnly || o.start.getTime() > now || o.end.getTime() <= now) continue
      until = Math.max(until ?? 0, o.end.getTime())
    }
    if (until === null) return null
    for (const o of this.occurrences(now, 0)) {
      if (o.readOnly && o.start.getTime() <= until && o.end.getTime() > until) until = o.end.getTime()
    }
    return new Date(until)
  }
}

const schedules = new WeakMap<AppContext, MaintenanceSchedule>()

export function scheduleOf(ctx: AppContext): MaintenanceSchedule {
  let schedule = schedules.get(ctx)
  if (!schedule) {
    schedule = new MaintenanceSchedule(ctx)
    schedules.set(ctx, schedule)
  }
  return schedule
}
