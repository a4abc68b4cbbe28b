import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino'

/**
 * Fastify's per-request logger (`request.log`), created on first use.
 *
 * pino builds a child's bindings eagerly, running the request id through the redaction of every
 * field, which cost about 3% of a cheap request's CPU in bench/http.ts. Most requests write
 * nothing at the configured level, so the child is made only when a line is really written.
 */
export function lazyChildLogger(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level || options.serializers) return parent.child(bindings, options)
  return new RequestLogger(parent as Logger, bindings) as unknown as FastifyBaseLogger
}

/** Whether a line at this level would be written (true for loggers that cannot tell). */
export function levelEnabled(log: FastifyBaseLogger, level: Level): boolean {
  const check = (log as Partial<Logger>).isLevelEnabled
  return check ? check.call(log, level) : true
}

type Write = (...args: unknown[]) => void

class RequestLogger {
  #child: Logger | undefined
  readonly #parent: Logger
  readonly #bindings: Bindings

  constructor(parent: Logger, bindings: Bindings) {
    this.#parent = parent
    this.#bindings = bindings
  }

  get #logger(): Logger {
    this.#child ??= this.#parent.child(this.#bindings)
    return this.#child
  }

  #write(level: Level, args: unknown[]): void {
    if (!(this.#child ?? this.#parent).isLevelEnabled(level)) return
    ;(this.#logger[level] as Write)(...args)
  }

  get level(): string {
    return (this.#child ?? this.#parent).level
  }
  set level(level: string) {
    this.#logger.level = level
  }
  isLevelEnabled(level: string): boolean {
    return (this.#child ?? this.#parent).isLevelEnabled(level)
  }
  bindings(): Bindings {
    return this.#child ? this.#child.bindings() : { ...this.#parent.bindings(), ...this.#bindings }
  }
  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger.child(bindings, options)
  }
  fatal(...args: unknown[]): void {
    this.#write('fatal', args)
  }
  error(...args: unknown[]): void {
    this.#write('error', args)
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args)
  }
  info(...args: unknown[]): void {
    this.#write('info', args)
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args)
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args)
  }
  silent(): void {}
}
