import type { Clock } from '../../platform/clock.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { NewOrder } from '../orders/intake.ts'
import type { CompleteInput, DowntimeInput, PlanInput } from '../production/schemas.ts'
import {
  DOWNTIME_REASONS,
  REJECT_SHARE,
  RETAIL_QUANTITIES,
  SECOND_LINE_SHARE,
  SESSIONS_PER_ORDER,
  WHOLESALE_CASE,
  WHOLESALE_CASES,
  YIELD,
} from './behaviour.ts'
import { Random } from './random.ts'

/**
 * The live simulator behind `sentia simulate`: orders at about `rate` a second across the
 * channels, markets and products of the catalog in the database (priced by the catalog, mixed as
 * the last weeks sold), storefront sessions for the current hour, and production (batches planned,
 * started, stopped and completed) at a slower pace. It acts only through a `SimulationTarget`: the
 * services the API uses (local database) or the HTTP API of a running instance.
 */

export interface SimCatalog {
  /** Channels with the weight of their recent orders (all 1 without history). */
  channels: { code: string; kind: string; market: string; weight: number }[]
  /** Active finished products: the markets that price them, recent units sold, a bill of materials. */
  products: { sku: string; markets: string[]; weight: number; hasBom: boolean }[]
  lines: { code: string; idealRatePerHour: number }[]
}

export interface SessionCount {
  channel: string
  hour: string
  visits: number
}

/** Where the simulated business happens. Refusals are AppErrors (with the API's code). */
export interface SimulationTarget {
  catalog(): Promise<SimCatalog>
  placeOrder(order: NewOrder): Promise<void>
  /** Visits stored for each channel in the hour starting at `hour`. */
  storedSessions(hour: Date): Promise<Map<string, number>>
  writeSessions(items: SessionCount[]): Promise<void>
  planBatch(input: PlanInput): Promise<string>
  startBatch(id: string): Promise<void>
  recordDowntime(id: string, input: DowntimeInput): Promise<void>
  completeBatch(id: string, input: CompleteInput): Promise<void>
  cancelBatch(id: string): Promise<void>
}

export interface SimulationOptions {
  /** Orders per second, on average. */
  rate: number
  seed: number
  /** Stop after this long; without it, run until `signal` aborts. */
  durationMs?: number
  tickMs?: number
  productionEveryMs?: number
  /** A batch is planned for this long at its line's ideal rate. */
  batchMinutes?: number
  /** Chance that a running batch stops at each production step. */
  downtimeChance?: number
  sessionFlushMs?: number
}

export interface SimulationDeps {
  clock: Clock
  /** Waits `ms` (or less, when `signal` aborts). Tests move a test clock instead. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  signal?: AbortSignal
  /** Called after each flush of sessions with the figures so far. */
  progress?(report: SimulationReport): void
}

export interface SimulationReport {
  seconds: number
  orders: number
  /** Refusals by error code (orders and production steps). */
  refused: Record<string, number>
  visits: number
  batches: { planned: number; completed: number; cancelled: number; downtimes: number }
}

const HOUR = 3_600_000
/** Share of new orders already paid (the rest pending), as in the demo's orders of the last day. */
const PAID_SHARE = 0.5
/** Most products on one wholesale order. */
const WHOLESALE_LINES = 3
/** The longest stop recorded at once, in minutes. */
const MAX_STOP_MINUTES = 10
/** Line speed while running, as a share of the ideal rate. */
const SPEED = { min: 0.85, max: 0.98 }
/** Give up when this many orders in a row were refused before any was booked. */
const FIRST_ORDERS_TO_TRY = 20

const DEFAULTS = {
  tickMs: 1000,
  productionEveryMs: 60_000,
  batchMinutes: 30,
  downtimeChance: 0.05,
  sessionFlushMs: 10_000,
}

/** Picks a key in proportion to its weight, or evenly when every weight is 0. */
function pick<T>(random: Random, items: T[], weight: (item: T) => number): T {
  const weights = Object.fromEntries(items.map((item, i) => [String(i), Math.max(0, weight(item))]))
  const even = Object.values(weights).every((w) => w === 0)
  const key = random.weighted(even ? Object.fromEntries(items.map((_, i) => [String(i), 1])) : weights)
  return items[Number(key)]!
}

/** What sells in each market: channels whose market prices at least one product. */
export function sellable(catalog: SimCatalog) {
  const channels = catalog.channels.filter((c) => catalog.products.some((p) => p.markets.includes(c.market)))
  const totalWeight = channels.reduce((sum, c) => sum + c.weight, 0)
  const share = (code: string) => {
    const channel = channels.find((c) => c.code === code)
    if (!channel) return 0
    return totalWeight === 0 ? 1 / channels.length : channel.weight / totalWeight
  }
  return { channels, share }
}

/** One simulated order: a channel by recent mix, products its market prices, demo-like baskets. */
export function nextOrder(random: Random, catalog: SimCatalog, externalId: string): NewOrder {
  const { channels } = sellable(catalog)
  const channel = pick(random, channels, (c) => c.weight)
  let choices = catalog.products.filter((p) => p.markets.includes(channel.market))
  const wholesale = channel.kind === 'wholesale'
  const count = wholesale
    ? Math.min(WHOLESALE_LINES, choices.length)
    : random.chance(SECOND_LINE_SHARE)
      ? 2
      : 1
  const lines: NewOrder['lines'] = []
  for (let n = 0; n < count && choices.length > 0; n++) {
    const product = pick(random, choices, (p) => p.weight)
    choices = choices.filter((p) => p !== product)
    const quantity = wholesale
      ? WHOLESALE_CASE * random.int(WHOLESALE_CASES.min, WHOLESALE_CASES.max)
      : Number(random.weighted(RETAIL_QUANTITIES))
    lines.push({ sku: product.sku, quantity })
  }
  return { channel: channel.code, externalId, status: random.chance(PAID_SHARE) ? 'paid' : 'pending', lines }
}

interface RunningBatch {
  id: string
  startedAt: number
  plannedMinutes: number
  downtimeMinutes: number
}

/** Runs the simulation until the duration is over or the signal aborts, and reports what it did. */
export async function simulate(
  target: SimulationTarget,
  options: SimulationOptions,
  deps: SimulationDeps,
): Promise<SimulationReport> {
  const settings = { ...DEFAULTS, ...options }
  if (!(settings.rate > 0)) throw new RangeError('rate must be more than 0 orders a second')
  const { clock, signal } = deps
  const random = new Random(options.seed)
  const catalog = await target.catalog()
  const { channels, share } = sellable(catalog)
  if (channels.length === 0)
    throw new Error('Nothing to sell: no sales channel whose market has a priced, active finished product')
  const started = clock.ms()
  const runId = started.toString(36)
  const end = options.durationMs === undefined ? Number.POSITIVE_INFINITY : started + options.durationMs
  const report: SimulationReport = {
    seconds: 0,
    orders: 0,
    refused: {},
    visits: 0,
    batches: { planned: 0, completed: 0, cancelled: 0, downtimes: 0 },
  }
  const refuse = (error: unknown) => {
    if (!(error instanceof AppError)) throw error
    report.refused[error.code] = (report.refused[error.code] ?? 0) + 1
  }

  // Sessions: visits added this hour per channel, written as (stored at the hour's start + added).
  let sessionHour = Math.floor(started / HOUR) * HOUR
  let storedAtStart: Map<string, number> | undefined
  const added = new Map<string, number>()
  const storefronts = channels.filter((c) => c.kind in SESSIONS_PER_ORDER)
  const flushSessions = async () => {
    if (added.size === 0) return
    storedAtStart ??= await target.storedSessions(new Date(sessionHour))
    const hour = new Date(sessionHour).toISOString()
    await target.writeSessions(
      [...added].map(([channel, visits]) => ({
        channel,
        hour,
        visits: (storedAtStart!.get(channel) ?? 0) + visits,
      })),
    )
    deps.progress?.({ ...report, seconds: (clock.ms() - started) / 1000 })
  }

  const running = new Map<string, RunningBatch>()
  const productionStep = async () => {
    for (const line of catalog.lines) {
      const batch = running.get(line.code)
      try {
        if (batch) await stepBatch(line, batch)
        else await startOne(line)
      } catch (error) {
        refuse(error)
      }
    }
  }
  const startOne = async (line: SimCatalog['lines'][number]) => {
    const makeable = catalog.products.filter((p) => p.hasBom)
    if (makeable.length === 0) return
    const product = pick(random, makeable, (p) => p.weight)
    const now = clock.ms()
    const id = await target.planBatch({
      line: line.code,
      sku: product.sku,
      plannedQuantity: Math.max(1, Math.round((line.idealRatePerHour * settings.batchMinutes) / 60)),
      plannedStart: new Date(now).toISOString(),
      plannedEnd: new Date(now + settings.batchMinutes * 60_000).toISOString(),
    })
    report.batches.planned += 1
    try {
      await target.startBatch(id)
    } catch (error) {
      // another batch runs on the line (someone else's): leave the line to it
      await target.cancelBatch(id)
      report.batches.cancelled += 1
      throw error
    }
    running.set(line.code, { id, startedAt: now, plannedMinutes: settings.batchMinutes, downtimeMinutes: 0 })
  }
  /** Books what a batch made in its run (at the line's speed, less stops), or calls it off. */
  const finishBatch = async (line: SimCatalog['lines'][number], batch: RunningBatch) => {
    running.delete(line.code)
    const runMinutes = (clock.ms() - batch.startedAt) / 60_000
    const units = Math.floor(
      ((line.idealRatePerHour * (runMinutes - batch.downtimeMinutes)) / 60) *
        random.between(SPEED.min, SPEED.max) *
        random.between(YIELD.min, YIELD.max),
    )
    if (units < 1) {
      // stopped before it made anything: nothing to book
      await target.cancelBatch(batch.id)
      report.batches.cancelled += 1
      return
    }
    try {
      const rejectedCount = Math.round(units * random.between(REJECT_SHARE.min, REJECT_SHARE.max))
      await target.completeBatch(batch.id, { goodCount: units - rejectedCount, rejectedCount })
      report.batches.completed += 1
    } catch (error) {
      // short of a component: the batch is called off
      await target.cancelBatch(batch.id)
      report.batches.cancelled += 1
      throw error
    }
  }
  const stepBatch = async (line: SimCatalog['lines'][number], batch: RunningBatch) => {
    const runMinutes = (clock.ms() - batch.startedAt) / 60_000
    if (runMinutes >= batch.plannedMinutes) return finishBatch(line, batch)
    const free = Math.floor(runMinutes - batch.downtimeMinutes)
    if (free < 1 || !random.chance(settings.downtimeChance)) return
    const minutes = random.int(1, Math.min(MAX_STOP_MINUTES, free))
    const reason = DOWNTIME_REASONS[random.int(0, DOWNTIME_REASONS.length - 1)]!
    await target.recordDowntime(batch.id, { reason, minutes })
    batch.downtimeMinutes += minutes
    report.batches.downtimes += 1
  }

  let tick = 0
  let nextProduction = started
  let nextFlush = started + settings.sessionFlushMs
  while (!signal?.aborted) {
    const due = started + tick * settings.tickMs
    if (due >= end) break
    if (due > clock.ms()) await deps.sleep(due - clock.ms(), signal)
    if (signal?.aborted) break
    tick += 1
    const now = clock.ms()
    const hour = Math.floor(now / HOUR) * HOUR
    if (hour !== sessionHour) {
      await flushSessions()
      sessionHour = hour
      storedAtStart = undefined
      added.clear()
    }
    const seconds = settings.tickMs / 1000
    for (let n = random.poisson(settings.rate * seconds); n > 0; n--) {
      try {
        await target.placeOrder(nextOrder(random, catalog, `sim-${runId}-${report.orders + 1}`))
        report.orders += 1
      } catch (error) {
        refuse(error)
        const refusals = Object.values(report.refused).reduce((sum, count) => sum + count, 0)
        if (report.orders === 0 && refusals >= FIRST_ORDERS_TO_TRY)
          throw new Error(`Every order was refused: ${JSON.stringify(report.refused)}`)
      }
    }
    for (const channel of storefronts) {
      const expected = settings.rate * seconds * share(channel.code) * SESSIONS_PER_ORDER[channel.kind]!
      const visits = random.poisson(expected)
      if (visits === 0) continue
      added.set(channel.code, (added.get(channel.code) ?? 0) + visits)
      report.visits += visits
    }
    if (now >= nextProduction) {
      nextProduction += settings.productionEveryMs
      await productionStep()
    }
    if (now >= nextFlush) {
      nextFlush += settings.sessionFlushMs
      await flushSessions()
    }
  }
  // the last tick covers the time up to the end
  if (!signal?.aborted && end > clock.ms() && end !== Number.POSITIVE_INFINITY)
    await deps.sleep(end - clock.ms(), signal)
  await flushSessions()
  // Leave no line blocked: what runs now is completed with what it made so far.
  for (const line of catalog.lines) {
    const batch = running.get(line.code)
    if (batch) await finishBatch(line, batch).catch(refuse)
  }
  report.seconds = (clock.ms() - started) / 1000
  return report
}

/** A sleep on the real timer that ends early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
