/** Rounds to a number of decimal places (2 by default), for figures shown to people. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}

/** Milliseconds since `started` (a `performance.now()` reading), to 0.01 ms. */
export function elapsedMs(started: number): number {
  return round(performance.now() - started)
}
