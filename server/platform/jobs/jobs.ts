import { type Db as BossDb, PgBoss } from 'pg-boss'
import type { Config } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import type { Database } from '../db/database.ts'
import type { ComponentHealth } from '../health-types.ts'
import { elapsedMs } from '../numbers.ts'
import type { ErrorSink } from '../observability/error-sink.ts'
import type { Logger } from '../observability/logger.ts'

/**
 * Background work on pg-boss (a PostgreSQL-backed queue) on both engines. A module declares
 * its jobs with `defineJob`; schedules are stored in the database, so a cron job runs once per
 * tick however many replicas are up.
 *
 * On the embedded engine a sent job wakes its worker by LISTEN/NOTIFY, in-process, and workers
 * poll only every 10 s as a backstop: polling 11 queues every 2 s took a third of an idle
 * server's database time on the one thread that also answers requests. On PostgreSQL workers
 * poll every 2 s: listening there needs a connection of its own, outside the pool.
 */
export interface JobDefinition<T extends object = Record<string, never>> {
  /** Queue name, `module.action`. */
  name: string
  description: string
  /** Cron expression (UTC) for scheduled jobs, or read from the config (none: not scheduled). */
  schedule?: string | ((config: Config) => string | undefined)
  /** At most one job of this queue queued or active at a time. */
  singleton?: boolean
  retryLimit?: number
  retryDelaySeconds?: number
  expireInSeconds?: number
  handler(data: T, ctx: AppContext): Promise<void>
}

export function defineJob<T extends object = Record<string, never>>(
  definition: JobDefinition<T>,
): JobDefinition<T> {
  return definition
}

export const JOBS_SCHEMA = 'pgboss'

/**
 * A worker polls every 2 s; where NOTIFY wakes it, every 10 s, for what NOTIFY does not announce:
 * a retry or a delayed job coming due starts up to 10 s after its time.
 */
const POLLING = { pollingIntervalSeconds: 2, notifyPollingIntervalSeconds: 10 }

// biome-ignore lint/suspicious/noExplicitAny: definitions carry their own payload types
type AnyJob = JobDefinition<any>

export class Jobs {
  readonly boss: PgBoss
  #started = false
  #working = false
  #active = 0
  /** Whether workers are woken by NOTIFY (the embedded engine). */
  readonly #listens: boolean

  constructor(
    database: Pick<Database, 'pool' | 'engine' | 'pglite'>,
    private readonly definitions: AnyJob[],
    private readonly logger: Logger,
    /** Where failed attempts are reported (the error tracker). */
    private readonly errorSink?: ErrorSink,
  ) {
    const { pool, pglite } = database
    this.#listens = pglite !== undefined
    // Share the app's pool: one connection budget (`connection_limit`) and, on PGlite, the
    // only connection there is.
    const db: BossDb = { executeSql: (text, values) => pool.query(text, values as unknown[]) }
    if (pglite)
      db.listen = async (channel, onNotification, onReconnect) => {
        const unsubscribe = await pglite.listen(channel, onNotification)
        onReconnect() // fetch what was sent before the listener was up
        return { close: () => unsubscribe() }
      }
    this.boss = new PgBoss({
      db,
      backend: database.engine === 'pglite' ? 'pglite' : 'postgres',
      schema: JOBS_SCHEMA,
      useListenNotify: this.#listens,
    })
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'job queue error'))
  }

  /** Installs or upgrades pg-boss's schema, creates queues and schedules, and (if `work`) starts workers. */
  async start(
    options: {
      work: boolean
      schedule: boolean
      /** Seconds between a worker's polls, without and with NOTIFY (tests change them). */
      polling?: { pollingIntervalSeconds: number; notifyPollingIntervalSeconds: number }
    },
    ctx: () => AppContext,
  ): Promise<void> {
    await this.boss.start()
    this.#started = true
    for (const job of this.definitions) {
      const queue = {
        retryLimit: job.retryLimit ?? 3,
        retryDelay: job.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: job.expireInSeconds ?? 900,
        // Not on PostgreSQL, where nothing listens: a NOTIFY serializes the commits that send one.
        notify: this.#listens,
      }
      // createQueue leaves an existing queue as it is; updateQueue brings it to these options.
      await this.boss.createQueue(job.name, { ...queue, policy: job.singleton ? 'singleton' : 'standard' })
      await this.boss.updateQueue(job.name, queue)
      const cron = typeof job.schedule === 'function' ? job.schedule(ctx().config) : job.schedule
      if (options.schedule && cron) await this.boss.schedule(job.name, cron, null, { tz: 'UTC' })
      else if (options.schedule && job.schedule) await this.boss.unschedule(job.name)
    }
    if (!options.work) return
    this.#working = true
    for (const job of this.definitions) {
      await this.boss.work(job.name, { batchSize: 1, ...(options.polling ?? POLLING) }, async ([item]) => {
        if (!item) return
        this.#active += 1
        const started = performance.now()
        try {
          await job.handler(item.data as object, ctx())
          this.logger.info({ job: job.name, id: item.id, duration_ms: elapsedMs(started) }, 'job done')
        } catch (error) {
          this.logger.error(
            { err: error, job: job.name, id: item.id, duration_ms: elapsedMs(started) },
            'job failed',
          )
          void this.errorSink?.report({ error, source: 'job', route: job.name, requestId: item.id })
          throw error
        } finally {
          this.#active -= 1
        }
      })
    }
  }

  async send<T extends object>(job: JobDefinition<T>, data: T): Promise<string | null> {
    return this.boss.send(job.name, data)
  }

  get working(): boolean {
    return this.#working
  }

  get activeCount(): number {
    return this.#active
  }

  /** Reachability of the queue tables; cheap enough for /health (cached by the caller). */
  async health(): Promise<ComponentHealth> {
    if (!this.#started) return { status: 'down', required: true, message: 'job queue not started' }
    const started = performance.now()
    try {
      const queues = await this.boss.getQueues()
      return {
        status: 'ok',
        required: true,
        latencyMs: elapsedMs(started),
        queues: queues.length,
        worker: this.#working,
      }
    } catch (error) {
      return {
        status: 'down',
        required: true,
        latencyMs: elapsedMs(started),
        message: (error as Error).message,
      }
    }
  }

  /** Stops fetching new jobs and waits for running ones (up to `timeoutMs`). */
  async stop(timeoutMs: number): Promise<void> {
    if (!this.#started) return
    this.#started = false
    await this.boss.stop({ graceful: true, close: false, timeout: timeoutMs })
  }
}
