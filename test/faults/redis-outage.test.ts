import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUSINESS_EVENTS } from '../../server/modules/orders/events.ts'
import { type Bus, RedisBus } from '../../server/platform/bus/bus.ts'
import { connectRedis } from '../../server/platform/cache/redis.ts'
import { as } from '../app.ts'
import { freePort, type RunningInstance, startInstance } from '../instance.ts'
import { silentLogger } from '../template.ts'

/**
 * Fault: Redis dies under traffic and comes back. The app runs on its own redis-server (never
 * the shared one other tests use), listens on loopback and gets a light loop of authenticated
 * API reads, health checks and a live event stream. While Redis is gone no answer is a 5xx and
 * `/health` answers 200 with `degraded` (the cache is not required, docs/OPERATIONS.md); once
 * redis-server is back on the same port the same process recovers by itself: health is ok with
 * the cache on Redis again, events cross between replicas both ways, rate limits count in Redis.
 */

/** How long Redis stays down. */
const OUTAGE_MS = 5000
/** How long recovery may take: ioredis retries at most every 2 s, plus a handshake. */
const RECOVERY_LIMIT_MS = 15_000

/** A redis-server child on a loopback port: no persistence, so a restart comes back empty. */
class OwnRedis {
  #child: ChildProcess | undefined
  #output = ''

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    child.stdout!.on('data', (d: Buffer) => (this.#output += d))
    child.stderr!.on('data', (d: Buffer) => (this.#output += d))
    this.#child = child
    await until(`redis-server on port ${this.port} to answer PING`, 10_000, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited ${child.exitCode}: ${this.#output}`)
      return (await answersPing(this.port)) || undefined
    })
  }

  /** SIGKILL, as a crash: no goodbye to the clients. */
  async kill(): Promise<void> {
    const child = this.#child
    this.#child = undefined
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
}

/** Whether a Redis server answers PING on the port (raw RESP, so no client library retries). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

/** Polls `probe` until it gives a value; fails after `limitMs` naming what was awaited. */
async function until<T>(what: string, limitMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + limitMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Phase = 'before' | 'outage' | 'recovery' | 'after'

interface Answer {
  phase: Phase
  path: string
  /** 0: no HTTP answer at all (refused, reset, no answer within 5 s). */
  status: number
  error?: string
}

interface Component {
  status: string
  required: boolean
  kind?: string
  message?: string
}

interface HealthBody {
  status: string
  components: { cache: Component; database: Component }
}

const TRAFFIC = [
  '/health',
  '/health/ready',
  '/api/orders?limit=5',
  '/api/kpis/overview',
  '/api/notifications/messages?limit=5',
]

/** One request after another over every path of TRAFFIC, until stopped: light, steady load. */
function startTraffic(base: string, headers: Record<string, string>) {
  const answers: Answer[] = []
  const state = { phase: 'before' as Phase, stopped: false }
  const running = (async () => {
    while (!state.stopped) {
      for (const path of TRAFFIC) {
        const phase = state.phase
        try {
          const response = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(5000) })
          await response.arrayBuffer()
          answers.push({ phase, path, status: response.status })
        } catch (error) {
          answers.push({ phase, path, status: 0, error: (error as Error).message })
        }
      }
      await sleep(20)
    }
  })()
  return {
    answers,
    state,
    count: (phase: Phase) => answers.filter((a) => a.phase === phase).length,
    async stop() {
      state.stopped = true
      await running
    },
  }
}

/** An open `GET /api/events` stream whose text so far can be searched. */
async function openEvents(base: string, headers: Record<string, string>) {
  const abort = new AbortController()
  const response = await fetch(`${base}/api/events`, { headers, signal: abort.signal })
  expect(response.status).toBe(200)
  const stream = { text: '', ended: false }
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        stream.text += decoder.decode(value, { stream: true })
      }
    } catch {
      // aborted by close()
    }
    stream.ended = true
  })()
  return {
    stream,
    has: (text: string) => stream.text.includes(text),
    close: () => abort.abort(),
  }
}

describe('Redis stops under traffic and comes back', () => {
  let redis: OwnRedis
  let t: RunningInstance
  let peer: Bus
  let probe: ReturnType<typeof connectRedis>
  let traffic: ReturnType<typeof startTraffic> | undefined
  let events: Awaited<ReturnType<typeof openEvents>> | undefined
  const fromApp: unknown[] = []
  let sequence = 0

  beforeAll(async () => {
    redis = new OwnRedis(await freePort())
    await redis.start()
    t = await startInstance({ env: { REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '100000' } })
    // Another replica on the same Redis, as in production: the product's own bus.
    peer = new RedisBus(
      connectRedis(redis.url, silentLogger, 'peer'),
      connectRedis(redis.url, silentLogger, 'peer-sub', 'subscriber'),
      silentLogger,
    )
    peer.subscribe('fault.probe', (message) => fromApp.push(message))
    probe = connectRedis(redis.url, silentLogger, 'probe')
  })

  afterAll(async () => {
    // Each step on its own, so one failure does not leave a process or a server behind.
    await traffic?.stop().catch(() => {})
    events?.close()
    await peer?.close().catch(() => {})
    probe?.disconnect()
    await t?.close().catch(() => {})
    await redis?.kill()
  })

  const health = async () => {
    const response = await fetch(`${t.url}/health`, { signal: AbortSignal.timeout(5000) })
    return { status: response.status, body: (await response.json()) as HealthBody }
  }

  /** Events cross both ways between the app and the peer replica; resolves with the time taken. */
  const busWorksBothWays = async (limitMs: number) => {
    const started = Date.now()
    const seenByApp: string[] = []
    await Promise.all([
      until('an event from the peer replica on the app’s event stream', limitMs, async () => {
        if (seenByApp.some((id) => events!.has(`id: ${id}\n`))) return true
        const id = `peer-${++sequence}`
        seenByApp.push(id)
        await peer.publish(BUSINESS_EVENTS, {
          id,
          type: 'fault.probe',
          at: new Date().toISOString(),
          data: {},
        })
        await sleep(100)
        return events!.has(`id: ${id}\n`) || undefined
      }),
      until('an event from the app at the peer replica', limitMs, async () => {
        const before = fromApp.length
        await t.ctx.bus.publish('fault.probe', { from: 'app', n: ++sequence })
        await sleep(100)
        return fromApp.length > before || undefined
      }),
    ])
    return Date.now() - started
  }

  it('answers no 5xx while Redis is gone, says degraded, and recovers without a restart', async () => {
    const admin = await as(t.ctx, 'admin')
    // What /health says with everything up here (another component may be degraded on a full disk).
    const baseline = await until('the cache on Redis before the outage', 10_000, async () => {
      const { body } = await health()
      return body.components.cache.status === 'ok' ? body.status : undefined
    })
    events = await openEvents(t.url, admin)
    await busWorksBothWays(10_000)
    traffic = startTraffic(t.url, admin)
    await until('traffic before the outage', 10_000, async () => traffic!.count('before') >= 10 || undefined)

    // Redis dies.
    traffic.state.phase = 'outage'
    await redis.kill()
    const killedAt = Date.now()
    const degraded = await until('/health to report the cache degraded', 10_000, async () => {
      const report = await health()
      return report.body.components.cache.status === 'degraded' ? report : undefined
    })
    const degradedAfterMs = Date.now() - killedAt
    expect(degraded.status).toBe(200)
    expect(degraded.body.status).toBe('degraded')
    expect(degraded.body.components.cache).toMatchObject({
      status: 'degraded',
      required: false,
      kind: 'redis',
    })
    expect(degraded.body.components.cache.message).toMatch(/redis unreachable/)
    expect(degraded.body.components.database.status).toBe('ok')
    // The process's own subscribers still get what it publishes.
    await t.ctx.bus.publish(BUSINESS_EVENTS, {
      id: 'local-during-outage',
      type: 'fault.probe',
      at: new Date().toISOString(),
      data: {},
    })
    await until('a local event on the stream during the outage', 5000, async () =>
      events!.has('id: local-during-outage\n') ? true : undefined,
    )
    // Long enough for the clients' reconnect delay to reach its 2 s ceiling, as in a real outage.
    await until(
      'five seconds of traffic during the outage',
      20_000,
      async () => (Date.now() - killedAt >= OUTAGE_MS && traffic!.count('outage') >= 40) || undefined,
    )
    expect(events.stream.ended).toBe(false)

    // Redis comes back on the same port, empty; the app is not restarted.
    traffic.state.phase = 'recovery'
    await redis.start()
    const restartedAt = Date.now()
    const [healthMs, busMs, rateLimitMs] = await Promise.all([
      until('/health ok with the cache on Redis', RECOVERY_LIMIT_MS, async () => {
        const { status, body } = await health()
        const cache = body.components.cache
        return status === 200 && body.status === baseline && cache.status === 'ok' && cache.kind === 'redis'
          ? Date.now() - restartedAt
          : undefined
      }),
      busWorksBothWays(RECOVERY_LIMIT_MS).then(() => Date.now() - restartedAt),
      until('rate-limit counters in the restarted Redis', RECOVERY_LIMIT_MS, async () => {
        const keys = await probe.keys('sentia:ratelimit:*').catch(() => [])
        return keys.length > 0 ? Date.now() - restartedAt : undefined
      }),
    ])
    traffic.state.phase = 'after'
    await until('traffic after the recovery', 10_000, async () => traffic!.count('after') >= 10 || undefined)
    await traffic.stop()

    const failures = traffic.answers.filter((a) => a.status === 0 || a.status >= 500)
    expect(failures).toEqual([])
    // Not a single refusal either: health stays 200 (degraded is not down), reads answer.
    expect(traffic.answers.filter((a) => a.status !== 200)).toEqual([])
    expect(events.stream.ended).toBe(false)
    expect(t.ctx.cache.kind).toBe('redis')
    expect(t.ctx.bus.kind).toBe('redis')
    console.info(
      `redis outage: ${traffic.answers.length} answers (${traffic.count('outage')} during the outage), ` +
        `degraded reported after ${degradedAfterMs} ms; after restart: health ok ${healthMs} ms, ` +
        `bus both ways ${busMs} ms, rate limits in Redis ${rateLimitMs} ms`,
    )
  })
})
