import os from 'node:os'
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks'
import type { AppContext } from '../../context.ts'
import { round } from '../../platform/numbers.ts'
import { diskReading, memoryReading } from '../../platform/observability/system.ts'
import { clusterSamplers } from './catalog.ts'
import { takeTally } from './request-tally.ts'
import { CLUSTER, claimMinute, floorTo, type SampleRow, STORED, slotSeconds, writeSamples } from './store.ts'

/**
 * The sampler: every SAMPLER_INTERVAL_SECONDS each process stores its own readings and marks the
 * slot as sampled (uptime); once a minute one process (whichever claims the minute first) also
 * measures the cluster-wide business figures.
 */

const LAG_RESOLUTION_MS = 10

interface SamplerState {
  lag: IntervalHistogram
  /** The minute each cluster-wide series was last tried for by this process. */
  triedMinute: Map<string, number>
}

const states = new WeakMap<AppContext, SamplerState>()

function stateOf(ctx: AppContext): SamplerState {
  let state = states.get(ctx)
  if (!state) {
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
    lag.enable()
    state = { lag, triedMinute: new Map() }
    states.set(ctx, state)
  }
  return state
}

/** Takes one sample of this replica now (ctx.clock) and stores it, then the business figures when this process wins the minute. */
export async function sampleOnce(ctx: AppContext): Promise<void> {
  await sampleSystem(ctx)
  await sampleCluster(ctx)
}

/** This process's readings and the coverage of the current slot: one statement. */
export async function sampleSystem(ctx: AppContext): Promise<void> {
  const at = ctx.clock.now()
  const seconds = slotSeconds(ctx.config.monitoring)
  const tally = takeTally(ctx)
  const traffic = tally.requests > 0
  const api = tally.apiRequests > 0
  const readings: [string, number | null][] = [
    ['cpu_percent', ctx.system.cpu().systemPercent],
    ['memory_percent', memoryPercent()],
    ['disk_percent', await diskPercent(ctx)],
    ['event_loop_lag_ms', takeLag(stateOf(ctx).lag)],
    [STORED.requests, tally.requests],
    [STORED.errors, traffic ? tally.errors : null],
    [STORED.apiRequests, api ? tally.apiRequests : null],
    [STORED.apiErrors, api ? tally.apiErrors : null],
    ['response_time_p50_ms', tally.latency.quantile(0.5)],
    ['response_time_p95_ms', tally.latency.quantile(0.95)],
    ['response_time_p99_ms', tally.latency.quantile(0.99)],
  ]
  const rows: SampleRow[] = readings.flatMap(([name, value]) =>
    value === null ? [] : [{ name, instanceId: ctx.instanceId, at, value }],
  )
  rows.push({
    name: STORED.coverage,
    instanceId: CLUSTER,
    at: new Date(floorTo(at.getTime(), seconds)),
    value: seconds,
  })
  await writeSamples(ctx, rows)
}

/**
 * The cluster-wide figures, each once a minute across replicas: a process tries each minute once,
 * and only the one whose claim succeeds measures and stores it.
 */
export async function sampleCluster(ctx: AppContext): Promise<void> {
  const at = ctx.clock.now()
  const minute = floorTo(at.getTime(), 60)
  const { triedMinute } = stateOf(ctx)
  for (const [name, measure] of Object.entries(clusterSamplers)) {
    if (triedMinute.get(name) === minute) continue
    triedMinute.set(name, minute)
    if (!(await claimMinute(ctx, name, new Date(minute)))) continue
    const value = await measure(ctx)
    await writeSamples(ctx, [{ name, instanceId: CLUSTER, at, value }])
  }
}

/**
 * Memory in use in %: resident memory against the container's limit when the process has one
 * (the host's figures say nothing about the limit that gets it killed), else the host's used share.
 */
function memoryPercent(): number {
  const limit = process.constrainedMemory?.() ?? 0
  if (limit > 0 && limit < os.totalmem()) return round((process.memoryUsage.rss() / limit) * 100)
  return memoryReading().systemUsedPercent
}

async function diskPercent(ctx: AppContext): Promise<number | null> {
  try {
    return (await diskReading(ctx.config.dataDir)).usedPercent
  } catch (error) {
    ctx.logger.warn({ err: error, dir: ctx.config.dataDir }, 'disk reading failed')
    return null
  }
}

/** p99 event-loop delay since the last sample (0 before any was measured), then a fresh histogram. */
function takeLag(lag: IntervalHistogram): number {
  const p99 = lag.count > 0 ? Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0
  lag.reset()
  return round(p99)
}

/** Runs `run` after `delayMs`; the handle cancels it. Tests pass their own to fire ticks by hand. */
export type Schedule = (run: () => void, delayMs: number) => { cancel(): void }

const realSchedule: Schedule = (run, delayMs) => {
  const timer = setTimeout(run, delayMs)
  timer.unref()
  return { cancel: () => clearTimeout(timer) }
}

/**
 * The sampling timer of one process. The next tick is scheduled only when the previous sample is
 * stored, so ticks never overlap; a failed sample is logged and the timer goes on.
 */
export class SamplerTimer {
  #next: { cancel(): void } | undefined
  #stopped = false
  #running: Promise<void> | undefined
  #cluster: Promise<void> | undefined

  constructor(
    private readonly ctx: AppContext,
    private readonly seconds: number,
    private readonly schedule: Schedule = realSchedule,
  ) {}

  start(): void {
    this.#scheduleNext()
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#next?.cancel()
    await this.#running
    await this.#cluster
  }

  /** Fires in the middle of the next slot, so a late timer still samples the slot it was meant for. */
  #scheduleNext(): void {
    if (this.#stopped) return
    const slot = this.seconds * 1000
    let delay = (slot * 1.5 - (this.ctx.clock.ms() % slot)) % slot
    if (delay < slot / 10) delay += slot
    this.#next = this.schedule(() => {
      this.#next = undefined
      this.#running = this.#tick().finally(() => {
        this.#running = undefined
        this.#scheduleNext()
      })
    }, delay)
  }

  async #tick(): Promise<void> {
    try {
      await sampleSystem(this.ctx)
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'metric sample failed')
    }
    // Business figures can take longer than a slot (critical items); they must not delay the next sample.
    this.#cluster ??= sampleCluster(this.ctx)
      .catch((error) => this.ctx.logger.warn({ err: error }, 'cluster metric sample failed'))
      .finally(() => {
        this.#cluster = undefined
      })
  }
}

const timers = new WeakMap<AppContext, SamplerTimer>()

/** Starts the sampling timer unless SAMPLER_INTERVAL_SECONDS is 0. */
export function startSampler(ctx: AppContext): void {
  const seconds = ctx.config.monitoring.samplerIntervalSeconds
  if (seconds === 0 || timers.has(ctx)) return
  stateOf(ctx)
  const timer = new SamplerTimer(ctx, seconds)
  timers.set(ctx, timer)
  timer.start()
}

export async function stopSampler(ctx: AppContext): Promise<void> {
  await timers.get(ctx)?.stop()
  timers.delete(ctx)
  states.get(ctx)?.lag.disable()
  states.delete(ctx)
}
