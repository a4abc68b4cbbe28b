import { statfs } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  type IntervalHistogram,
  monitorEventLoopDelay,
  type PerformanceEntry,
  PerformanceObserver,
} from 'node:perf_hooks'
import { round } from '../numbers.ts'

/**
 * Process and host readings: CPU (host and process, as % over the last sampling interval),
 * memory, event-loop lag, garbage collection and disk space of a directory's volume.
 */

export interface CpuReading {
  /** Host CPU busy %, all cores, over the last interval. */
  systemPercent: number | null
  /** This process's CPU time as % of one core over the last interval. */
  processPercent: number | null
  cores: number
  loadAverage: number[]
}

export interface DiskReading {
  path: string
  totalBytes: number
  freeBytes: number
  usedPercent: number
}

export interface GcReading {
  count: number
  totalMs: number
  byKind: Record<string, { count: number; totalMs: number }>
}

const LAG_RESOLUTION_MS = 10
const GC_KINDS: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weakcb' }

export class SystemMonitor {
  #timer: NodeJS.Timeout | undefined
  #lag: IntervalHistogram
  #gcObserver: PerformanceObserver
  #gc: GcReading = { count: 0, totalMs: 0, byKind: {} }
  #lastHost = hostTimes()
  #lastProcess = { usage: process.cpuUsage(), at: performance.now() }
  #cpu: CpuReading = {
    systemPercent: null,
    processPercent: null,
    cores: os.availableParallelism(),
    loadAverage: os.loadavg(),
  }

  constructor(private readonly intervalMs = 5000) {
    this.#lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS })
    this.#gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        const detail = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail
        const kind = GC_KINDS[detail?.kind ?? 0] ?? 'other'
        this.#gc.count += 1
        this.#gc.totalMs += entry.duration
        const bucket = this.#gc.byKind[kind] ?? { count: 0, totalMs: 0 }
        this.#gc.byKind[kind] = bucket
        bucket.count += 1
        bucket.totalMs += entry.duration
      }
    })
  }

  start(): void {
    if (this.#timer) return
    this.#lag.enable()
    this.#gcObserver.observe({ entryTypes: ['gc'] })
    this.#timer = setInterval(() => this.sample(), this.intervalMs)
    this.#timer.unref()
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    this.#lag.disable()
    this.#gcObserver.disconnect()
  }

  /** Takes a CPU reading now (also called by the interval timer). */
  sample(): void {
    const host = hostTimes()
    const busy = host.busy - this.#lastHost.busy
    const total = host.total - this.#lastHost.total
    const usage = process.cpuUsage()
    const at = performance.now()
    const cpuMicros =
      usage.user - this.#lastProcess.usage.user + (usage.system - this.#lastProcess.usage.system)
    const elapsedMicros = (at - this.#lastProcess.at) * 1000
    this.#cpu = {
      systemPercent: total > 0 ? round((busy / total) * 100) : this.#cpu.systemPercent,
      processPercent: elapsedMicros > 0 ? round((cpuMicros / elapsedMicros) * 100) : this.#cpu.processPercent,
      cores: os.availableParallelism(),
      loadAverage: os.loadavg().map((v) => round(v)),
    }
    this.#lastHost = host
    this.#lastProcess = { usage, at }
  }

  cpu(): CpuReading {
    return this.#cpu
  }

  /** Event-loop delay in ms since the monitor started (mean, p99, max). */
  eventLoopLag(): { meanMs: number; p99Ms: number; maxMs: number } {
    // The histogram measures timer delays, which include the sampling period itself.
    const toMs = (ns: number) => (Number.isFinite(ns) ? round(Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS)) : 0)
    return { meanMs: toMs(this.#lag.mean), p99Ms: toMs(this.#lag.percentile(99)), maxMs: toMs(this.#lag.max) }
  }

  gc(): GcReading {
    return {
      count: this.#gc.count,
      totalMs: round(this.#gc.totalMs),
      byKind: Object.fromEntries(
        Object.entries(this.#gc.byKind).map(([kind, v]) => [
          kind,
          { count: v.count, totalMs: round(v.totalMs) },
        ]),
      ),
    }
  }
}

export function memoryReading() {
  const usage = process.memoryUsage()
  const total = os.totalmem()
  const free = os.freemem()
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    arrayBuffersBytes: usage.arrayBuffers,
    systemTotalBytes: total,
    systemFreeBytes: free,
    systemUsedPercent: round(((total - free) / total) * 100),
  }
}

/**
 * Space on the volume of `dir`. A directory not made yet (on PostgreSQL nothing needs DATA_DIR
 * until the first backup) will be on its nearest existing parent's volume, so that one is read.
 */
export async function diskReading(dir: string): Promise<DiskReading> {
  let at = path.resolve(dir)
  let stats: Awaited<ReturnType<typeof statfs>>
  for (;;) {
    try {
      stats = await statfs(at)
      break
    } catch (error) {
      const parent = path.dirname(at)
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === at) throw error
      at = parent
    }
  }
  const totalBytes = stats.blocks * stats.bsize
  // bavail: space available to unprivileged users, which is what the app can actually use.
  const freeBytes = stats.bavail * stats.bsize
  return {
    path: dir,
    totalBytes,
    freeBytes,
    usedPercent: totalBytes > 0 ? round(((totalBytes - freeBytes) / totalBytes) * 100) : 0,
  }
}

function hostTimes(): { busy: number; total: number } {
  let busy = 0
  let total = 0
  for (const cpu of os.cpus()) {
    const { user, nice, sys, irq, idle } = cpu.times
    busy += user + nice + sys + irq
    total += user + nice + sys + irq + idle
  }
  return { busy, total }
}
