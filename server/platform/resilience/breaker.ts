import OpossumBreaker from 'opossum'

/**
 * A circuit breaker (opossum) around calls to one outside service, in this process. After
 * enough failures in the rolling window it opens and refuses calls at once; after
 * `resetTimeoutMs` it lets one trial call through (half-open), which closes it on success.
 * It has no timeout of its own: the calls it guards carry theirs.
 */

export type BreakerState = 'closed' | 'open' | 'halfOpen'

export interface BreakerPolicy {
  /** Failed calls, as a percentage of the calls in the window, above which it opens. */
  errorThresholdPercentage: number
  /** Calls the window must hold before it may open at all. */
  volumeThreshold: number
  /** Length of the rolling window that failures are counted in. */
  windowMs: number
  /** How long it stays open before letting one trial call through. */
  resetTimeoutMs: number
}

export interface BreakerOptions {
  policy: BreakerPolicy
  /** False for errors that say nothing about the service's health (a refused credential). */
  countsAsFailure?: (error: unknown) => boolean
  /** When a state began; the app's clock. */
  now?: () => Date
}

/** The call was refused without being made, because the breaker is open. */
export class BreakerOpenError extends Error {
  constructor(
    readonly breaker: string,
    readonly since: Date,
  ) {
    super(`The circuit breaker of ${breaker} is open (since ${since.toISOString()})`)
    this.name = 'BreakerOpenError'
  }
}

type Work = () => Promise<unknown>

export class CircuitBreaker {
  readonly #breaker: OpossumBreaker<[Work], unknown>
  readonly #now: () => Date
  #since: Date

  constructor(
    readonly name: string,
    options: BreakerOptions,
  ) {
    const { policy } = options
    const countsAsFailure = options.countsAsFailure ?? (() => true)
    this.#now = options.now ?? (() => new Date())
    this.#since = this.#now()
    this.#breaker = new OpossumBreaker((work: Work) => work(), {
      name,
      timeout: false,
      errorThresholdPercentage: policy.errorThresholdPercentage,
      volumeThreshold: policy.volumeThreshold,
      rollingCountTimeout: policy.windowMs,
      rollingCountBuckets: 6,
      resetTimeout: policy.resetTimeoutMs,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      // opossum counts a filtered error as a success: the service answered.
      errorFilter: (error: unknown) => !countsAsFailure(error),
    })
    const changed = () => {
      this.#since = this.#now()
    }
    this.#breaker.on('open', changed)
    this.#breaker.on('halfOpen', changed)
    this.#breaker.on('close', changed)
  }

  /** Runs `work` unless the breaker is open (then rejects with BreakerOpenError). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.#breaker.fire(work)) as T
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER')
        throw new BreakerOpenError(this.name, this.#since)
      throw error
    }
  }

  get state(): BreakerState {
    if (this.#breaker.opened) return 'open'
    return this.#breaker.halfOpen ? 'halfOpen' : 'closed'
  }

  /** When the current state began (in this process). */
  get since(): Date {
    return this.#since
  }

  /** Calls and failures in the rolling window. */
  get counts(): { calls: number; failures: number; rejected: number } {
    const stats = this.#breaker.stats
    return { calls: stats.fires - stats.rejects, failures: stats.failures, rejected: stats.rejects }
  }

  open(): void {
    this.#breaker.open()
  }

  close(): void {
    this.#breaker.close()
  }

  /** Stops its timers; it refuses every call afterwards. */
  shutdown(): void {
    this.#breaker.shutdown()
  }
}
