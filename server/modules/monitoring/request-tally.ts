import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import { LatencyHistogram } from '../../platform/observability/latency-histogram.ts'

/**
 * HTTP responses since the last sample: counts, 5xx, the same for /api paths, and latencies.
 * The rolling RequestStats answer "the last N minutes"; the sampler needs exactly the interval
 * since its previous sample, so it keeps its own tally and starts a new one at each sample.
 */
export interface RequestTally {
  requests: number
  errors: number
  apiRequests: number
  apiErrors: number
  latency: LatencyHistogram
}

const emptyTally = (): RequestTally => ({
  requests: 0,
  errors: 0,
  apiRequests: 0,
  apiErrors: 0,
  latency: new LatencyHistogram(),
})

const tallies = new WeakMap<AppContext, RequestTally>()

function tallyOf(ctx: AppContext): RequestTally {
  let tally = tallies.get(ctx)
  if (!tally) {
    tally = emptyTally()
    tallies.set(ctx, tally)
  }
  return tally
}

/** The tally since the previous call, and a fresh one from now on. */
export function takeTally(ctx: AppContext): RequestTally {
  const tally = tallyOf(ctx)
  tallies.set(ctx, emptyTally())
  return tally
}

export function countResponse(
  ctx: AppContext,
  response: { url: string; status: number; durationMs: number; stream: boolean },
): void {
  const tally = tallyOf(ctx)
  const failed = response.status >= 500
  tally.requests += 1
  if (failed) tally.errors += 1
  if (response.url === '/api' || response.url.startsWith('/api/') || response.url.startsWith('/api?')) {
    tally.apiRequests += 1
    if (failed) tally.apiErrors += 1
  }
  // A server-sent event stream's duration is how long the client listened, not a response time.
  if (!response.stream) tally.latency.record(response.durationMs)
}

/** Counts every response of the app (all roles that serve HTTP), from the app's one onResponse hook. */
export function observeResponse(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): void {
  countResponse(ctx, {
    url: request.url,
    status: reply.statusCode,
    durationMs: reply.elapsedTime,
    stream: request.headers.accept === 'text/event-stream',
  })
}
