import type { Clock } from '../server/platform/clock.ts'

/** A clock that only moves when the test says so. */
export class TestClock implements Clock {
  #ms: number

  constructor(start: Date | string = '2026-01-05T09:00:00Z') {
    this.#ms = new Date(start).getTime()
  }

  now(): Date {
    return new Date(this.#ms)
  }

  ms(): number {
    return this.#ms
  }

  advance(ms: number): void {
    this.#ms += ms
  }
}
