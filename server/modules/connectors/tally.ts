import { MAX_NOTES } from './state.ts'
import type { SyncResult } from './types.ts'

/** Counts of one run and its notes (the first few kept, the rest counted), and the cursor so far. */
export class Tally {
  fetched = 0
  written = 0
  skipped = 0
  readonly #notes: string[] = []
  #moreNotes = 0
  #cursorMs = Number.NEGATIVE_INFINITY

  note(text: string): void {
    if (this.#notes.length < MAX_NOTES - 1) this.#notes.push(text)
    else this.#moreNotes += 1
  }

  /** A record that was read and left alone; with a reason when it could not be booked. */
  skip(reason?: string): void {
    this.skipped += 1
    if (reason) this.note(reason)
  }

  /** Moves the cursor to `time` (an ISO time) when it is later than the cursor so far. */
  advanceTo(time: unknown): void {
    const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN
    if (!Number.isNaN(ms) && ms > this.#cursorMs) this.#cursorMs = ms
  }

  result(): SyncResult {
    const more = this.#moreNotes > 0 ? [`… and ${this.#moreNotes} more`] : []
    return {
      fetched: this.fetched,
      written: this.written,
      skipped: this.skipped,
      cursor: Number.isFinite(this.#cursorMs)
        ? new Date(this.#cursorMs).toISOString().replace(/\.000Z$/, 'Z')
        : null,
      notes: [...this.#notes, ...more],
    }
  }
}
