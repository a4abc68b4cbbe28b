import type { AppContext } from '../../context.ts'
import { isDatabaseUnavailable } from '../../platform/db/unavailable.ts'
import { judge } from './conditions.ts'
import { type Breach, recordElapsedAlert } from './evaluate.ts'
import { conditionOf } from './rules.ts'

/**
 * The "Database down" alert. While the database cannot be reached nothing can be written, not
 * even an alert, so each process that runs evaluations checks the database every few seconds
 * (the health module's check, shared with /health) and keeps an outage in memory: from the first
 * failed check to the first good one. The next evaluation records it through the alert model
 * (`recordElapsedAlert`) with those times, so it shows on the alert pages, notifies and opens an
 * incident like any critical alert. An outage that ends with the process is not recorded; the
 * embedded engine lives in the process, so it is not watched.
 */

export const CHECK_INTERVAL_MS = 2000
/** Outages kept while none can be recorded (a flapping database): the oldest go first. */
const MAX_KEPT = 20

export interface Outage {
  start: Date
  end: Date
  error: string
}

interface WatchState {
  downSince: Date | null
  error: string
  outages: Outage[]
}

const states = new WeakMap<AppContext, WatchState>()

function stateOf(ctx: AppContext): WatchState {
  let state = states.get(ctx)
  if (!state) {
    state = { downSince: null, error: '', outages: [] }
    states.set(ctx, state)
  }
  return state
}

/** Takes one check's result: the first failure starts an outage, the first success ends it. */
export function noteDatabaseCheck(ctx: AppContext, ok: boolean, error = ''): void {
  const state = stateOf(ctx)
  const now = ctx.clock.now()
  if (!ok) {
    if (!state.downSince) {
      state.downSince = now
      state.error = error
      ctx.logger.error({ error }, 'database unreachable')
    }
    return
  }
  if (!state.downSince) return
  const outage = { start: state.downSince, end: now, error: state.error }
  state.downSince = null
  ctx.logger.warn({ seconds: seconds(outage), error: outage.error }, 'database reachable again')
  state.outages.push(outage)
  if (state.outages.length > MAX_KEPT) state.outages.shift()
}

const seconds = (outage: Outage) => Math.round((outage.end.getTime() - outage.start.getTime()) / 1000)

/**
 * Records the outages this process saw (called in a claimed evaluation). Each is judged against
 * the rule's levels like a reading (an admin may raise the level to ignore short blips). One that
 * could not be recorded for want of the database is kept for the next evaluation; one that
 * failed otherwise is logged and dropped, so it cannot hold up every evaluation after it.
 */
export async function recordOutages(ctx: AppContext): Promise<number> {
  const state = stateOf(ctx)
  if (state.outages.length === 0) return 0
  const rule = await ctx.db
    .selectFrom('alert_rules')
    .selectAll()
    .where('builtin', '=', 'database-down')
    .where('enabled', '=', true)
    .executeTakeFirst()
  let recorded = 0
  while (state.outages.length > 0) {
    const outage = state.outages[0]!
    if (rule) {
      const value = seconds(outage)
      const verdict = judge(conditionOf(rule), rule.severity, { kind: 'threshold', value })
      if (verdict.state === 'breach') {
        const breach: Breach = {
          ...verdict,
          summary: `The database could not be reached for ${value} s (${outage.error})`,
        }
        try {
          if (await recordElapsedAlert(ctx, rule, breach, outage.start, outage.end)) recorded++
        } catch (error) {
          if (isDatabaseUnavailable(error)) throw error
          ctx.logger.error({ err: error, outage }, 'database outage could not be recorded')
        }
      }
    }
    state.outages.shift()
  }
  return recorded
}

/** The checking timer of one process; a check never overlaps the previous one. */
export class DatabaseWatch {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(
    private readonly ctx: AppContext,
    private readonly check: () => Promise<{ status: string; message?: string }>,
  ) {}

  start(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.#tick().finally(() => {
        this.#running = undefined
        this.start()
      })
    }, CHECK_INTERVAL_MS)
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    const result = await this.check().catch((error: Error) => ({ status: 'down', message: error.message }))
    noteDatabaseCheck(this.ctx, result.status !== 'down', result.message)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}
