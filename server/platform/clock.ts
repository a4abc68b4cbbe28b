/** The source of "now" for all time-dependent logic, so tests can move time without waiting. */
export interface Clock {
  now(): Date
  /** Milliseconds since the epoch. */
  ms(): number
}

export const systemClock: Clock = {
  now: () => new Date(),
  ms: () => Date.now(),
}
