/**
 * Wraps an async reading so that callers within `ttlMs` share one result, and concurrent
 * callers share one in-flight call. Used by /health so polling cannot load its dependencies.
 */
export function cachedFor<T>(
  ttlMs: number,
  read: () => Promise<T>,
  now: () => number = Date.now,
): () => Promise<T> {
  let value: { result: Promise<T>; at: number } | undefined
  return () => {
    const at = now()
    if (value && at - value.at < ttlMs) return value.result
    const result = read()
    value = { result, at }
    // A failure is not cached beyond its own call.
    result.catch(() => {
      if (value?.result === result) value = undefined
    })
    return result
  }
}

/** Resolves with `fallback()` if `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Callers that arrive while a call is running share its result instead of starting another; the
 * next caller after it settles starts a fresh one. Nothing is kept, so no answer is older than
 * the call in flight when it was asked for.
 */
export function singleFlight<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined
  return () => {
    running ??= read().finally(() => {
      running = undefined
    })
    return running
  }
}
