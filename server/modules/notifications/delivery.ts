import type { AppContext } from '../../context.ts'
import { channelDestination, findChannel } from './channels.ts'
import { kinds } from './kinds.ts'
import { notificationMetrics } from './metrics.ts'
import {
  type AttemptResult,
  claimDue,
  type OutboxRow,
  recordAttempt,
  refuseClaimed,
  storedMessage,
} from './outbox.ts'
import { DeliveryError, type Destination } from './types.ts'

/**
 * Delivery: claims due messages and sends each on its own, with a timeout, so a receiver that
 * never answers holds only its own message. The loop (roles that run jobs) polls every
 * NOTIFY_POLL_MS and is woken at once through the bus; `deliverDue` is one pass of it.
 */

export const WAKE_CHANNEL = 'notifications.wake'
/** Messages one pass claims, and messages one process sends at once. */
const PASS_LIMIT = 100

type Outcome = 'sent' | 'failed' | 'dead' | 'superseded'

async function destinationOf(ctx: AppContext, row: OutboxRow): Promise<Destination | { refused: string }> {
  if (row.channel === null) {
    return {
      kind: row.target_kind,
      label: `direct:${row.target_kind}`,
      ...kinds[row.target_kind].route(row.destination!, ctx.config.notifications.webhookSecret),
    }
  }
  const channel = await findChannel(ctx, ctx.db, row.channel)
  if (!channel) throw new DeliveryError(`channel "${row.channel}" is not configured`)
  if (!channel.enabled) return { refused: `channel "${row.channel}" is disabled` }
  return channelDestination(ctx, channel)
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason)
    signal.addEventListener('abort', () => reject(signal.reason), { once: true })
  })

/**
 * An abort signal for one send: aborted when its timeout passes or the process stops. Built by
 * hand rather than with AbortSignal.any, so nothing stays attached to the long-lived stop signal.
 */
function sendSignal(timeoutMs: number, stop: AbortSignal) {
  const controller = new AbortController()
  const timer = setTimeout(
    () => controller.abort(new DeliveryError(`no answer within ${timeoutMs} ms`)),
    timeoutMs,
  )
  const onStop = () => controller.abort(new DeliveryError('the process stopped before the receiver answered'))
  if (stop.aborted) onStop()
  else stop.addEventListener('abort', onStop, { once: true })
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer)
      stop.removeEventListener('abort', onStop)
    },
  }
}

/** Sends one claimed message and records the attempt; never throws. */
async function deliverClaimed(ctx: AppContext, row: OutboxRow, stop: AbortSignal): Promise<Outcome> {
  const settings = ctx.config.notifications
  const started = performance.now()
  const send = sendSignal(settings.timeoutMs, stop)
  let result: AttemptResult
  try {
    const destination = await destinationOf(ctx, row)
    if ('refused' in destination) {
      await refuseClaimed(ctx, row, destination.refused)
      ctx.logger.warn({ notification: row.id, channel: row.channel }, destination.refused)
      return 'dead'
    }
    const options = {
      smtpUrl: settings.smtpUrl,
      smtpFrom: settings.smtpFrom,
      timeoutMs: settings.timeoutMs,
      now: ctx.clock.now(),
    }
    // The race bounds even a sender that ignored the signal.
    await Promise.race([
      kinds[destination.kind].sender.send(storedMessage(row), destination, send.signal, options),
      untilAborted(send.signal),
    ])
    result = { outcome: 'sent', error: null, durationMs: performance.now() - started }
  } catch (error) {
    result = {
      outcome: 'failed',
      error: failureReason(send.signal.aborted ? send.signal.reason : error),
      durationMs: performance.now() - started,
      retryAfterMs: error instanceof DeliveryError ? error.retryAfterMs : undefined,
    }
  } finally {
    send.done()
  }
  const facts = {
    notification: row.id,
    channel: row.channel ?? `direct:${row.target_kind}`,
    attempt: row.attempts,
  }
  try {
    const outcome = await recordAttempt(ctx, row, result)
    if (outcome !== 'superseded') notificationMetrics(ctx).attempts.inc({ kind: row.target_kind, outcome })
    if (outcome === 'sent')
      ctx.logger.info({ ...facts, duration_ms: Math.round(result.durationMs) }, 'notification sent')
    else if (outcome === 'dead')
      ctx.logger.error({ ...facts, error: result.error }, 'notification is a dead letter')
    else if (outcome === 'failed')
      ctx.logger.warn({ ...facts, error: result.error }, 'notification failed; will retry')
    else ctx.logger.warn(facts, 'notification lease was taken over before its attempt was recorded')
    return outcome
  } catch (error) {
    ctx.logger.error(
      { ...facts, err: error },
      'could not record a notification attempt; it is sent again when its lease expires',
    )
    return 'failed'
  }
}

function failureReason(error: unknown): string {
  if (error instanceof DeliveryError) return error.message
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`.slice(0, 500)
}

function tally(outcomes: Outcome[]): { sent: number; failed: number; dead: number } {
  const count = (outcome: Outcome) => outcomes.filter((o) => o === outcome).length
  return { sent: count('sent'), failed: count('failed'), dead: count('dead') }
}

/** One delivery pass over due messages (what the loop runs); returns counts. Exported for tests. */
export async function deliverDue(ctx: AppContext): Promise<{ sent: number; failed: number; dead: number }> {
  const rows = await claimDue(ctx, PASS_LIMIT)
  return tally(await Promise.all(rows.map((row) => deliverClaimed(ctx, row, runtimeOf(ctx).stop.signal))))
}

/** Delivers these messages now if they are due (the CLI's test-send). */
export async function deliverNow(
  ctx: AppContext,
  ids: string[],
): Promise<{ sent: number; failed: number; dead: number }> {
  const rows = await claimDue(ctx, ids.length, ids)
  return tally(await Promise.all(rows.map((row) => deliverClaimed(ctx, row, runtimeOf(ctx).stop.signal))))
}

/** Wakes the delivery loop on this and other replicas (call after the transaction committed). */
export function wakeDelivery(ctx: AppContext): void {
  ctx.bus.publish(WAKE_CHANNEL, {}).catch((error: unknown) => {
    ctx.logger.warn({ err: error }, 'could not wake notification delivery; it polls anyway')
  })
}

/**
 * The background loop of one process: a pass claims as many due messages as there is room for
 * and starts sending them without waiting, so new messages go out at the next poll or wake
 * while a slow receiver keeps only its own messages.
 */
class DeliveryLoop {
  readonly #inFlight = new Set<Promise<Outcome>>()
  #pass: Promise<void> | undefined
  #again = false
  #stopped = false
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined

  constructor(
    private readonly ctx: AppContext,
    private readonly stop: AbortController,
  ) {}

  start(): void {
    this.#unsubscribe = this.ctx.bus.subscribe(WAKE_CHANNEL, () => this.wake())
    this.wake()
  }

  wake(): void {
    if (this.#stopped) return
    if (this.#pass) {
      this.#again = true
      return
    }
    clearTimeout(this.#timer)
    this.#pass = this.#run().finally(() => {
      this.#pass = undefined
      if (this.#stopped) return
      if (this.#again) {
        this.#again = false
        this.wake()
      } else {
        this.#timer = setTimeout(() => this.wake(), this.ctx.config.notifications.pollMs).unref()
      }
    })
  }

  async #run(): Promise<void> {
    const room = PASS_LIMIT - this.#inFlight.size
    if (room <= 0) return
    let rows: OutboxRow[]
    try {
      rows = await claimDue(this.ctx, room)
    } catch (error) {
      this.ctx.logger.warn({ err: error }, 'could not claim due notifications; trying again at the next poll')
      return
    }
    for (const row of rows) {
      const sending = deliverClaimed(this.ctx, row, this.stop.signal)
      this.#inFlight.add(sending)
      void sending.finally(() => this.#inFlight.delete(sending))
    }
  }

  /** Resolves once no pass runs and nothing is being sent. */
  async settled(): Promise<void> {
    while (this.#pass || this.#inFlight.size > 0) await Promise.allSettled([this.#pass, ...this.#inFlight])
  }

  /** Claims nothing more and waits for the sends in flight up to `budgetMs`, then aborts them (they are retried). */
  async close(budgetMs: number): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    this.#unsubscribe?.()
    await this.#pass
    let timer: NodeJS.Timeout | undefined
    const finished = await Promise.race([
      Promise.allSettled([...this.#inFlight]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), budgetMs)
      }),
    ])
    clearTimeout(timer)
    if (!finished) {
      this.stop.abort(new Error('the process is stopping'))
      await Promise.allSettled([...this.#inFlight])
    }
  }
}

interface Runtime {
  stop: AbortController
  loop: DeliveryLoop | undefined
}

const runtimes = new WeakMap<AppContext, Runtime>()

function runtimeOf(ctx: AppContext): Runtime {
  let runtime = runtimes.get(ctx)
  if (!runtime) {
    runtime = { stop: new AbortController(), loop: undefined }
    runtimes.set(ctx, runtime)
  }
  return runtime
}

/** Starts the loop where jobs run (roles all and worker), unless NOTIFY_POLL_MS is 0. */
export function startDelivery(ctx: AppContext): void {
  notificationMetrics(ctx)
  if (ctx.role === 'api' || ctx.config.notifications.pollMs === 0) return
  const runtime = runtimeOf(ctx)
  if (runtime.loop) return
  runtime.loop = new DeliveryLoop(ctx, runtime.stop)
  runtime.loop.start()
}

/** Stops the loop: in-flight sends get up to their timeout (within half the shutdown budget). */
export async function stopDelivery(ctx: AppContext): Promise<void> {
  const runtime = runtimes.get(ctx)
  if (!runtime) return
  const budget = Math.min(ctx.config.notifications.timeoutMs, ctx.config.shutdownTimeoutMs / 2)
  await runtime.loop?.close(budget)
  runtime.loop = undefined
  runtime.stop.abort(new Error('the process is stopping'))
}

/** Resolves once this process's loop has nothing in progress (tests). */
export async function deliverySettled(ctx: AppContext): Promise<void> {
  await runtimes.get(ctx)?.loop?.settled()
}
