import type { Logger } from './logger.ts'

/** An error nobody handled: a request that ended in a plain 500, a failed job, a crash. */
export interface UnhandledError {
  error: unknown
  source: 'server' | 'job'
  /** The request id, or the job id for a job. */
  requestId?: string
  method?: string
  /** The route pattern (`/api/orders/:id`), the job's queue name, or the process event. */
  route?: string
  userId?: string
}

export type ErrorListener = (report: UnhandledError) => Promise<void> | void

/**
 * Where unhandled errors go besides the log. The platform imports no module, so the error
 * tracker subscribes here (its `install`); the error handler, the job runner and `serve` report.
 * A report never throws, and `idle()` waits for the ones in flight (shutdown, tests).
 */
export class ErrorSink {
  readonly #listeners = new Map<string, ErrorListener>()
  readonly #inFlight = new Set<Promise<void>>()

  constructor(private readonly logger: Logger) {}

  /** Subscribes `listener` under `name`; subscribing the same name again replaces it. */
  listen(name: string, listener: ErrorListener): void {
    this.#listeners.set(name, listener)
  }

  report(report: UnhandledError): Promise<void> {
    if (this.#listeners.size === 0) return Promise.resolve()
    const done = Promise.all(
      [...this.#listeners].map(async ([name, listener]) => {
        try {
          await listener(report)
        } catch (error) {
          this.logger.warn({ err: error, listener: name }, 'error listener failed')
        }
      }),
    ).then(() => {
      this.#inFlight.delete(done)
    })
    this.#inFlight.add(done)
    return done
  }

  /** Resolves when every report made so far has been handled. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight])
  }
}
