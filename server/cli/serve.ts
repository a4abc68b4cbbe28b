import type { Command } from 'commander'
import type { FastifyInstance } from 'fastify'
import { describeConfig, loadConfig, type Role } from '../config.ts'
import type { AppContext } from '../context.ts'
import { createLogger, type Logger } from '../platform/observability/logger.ts'
import { holdTickObjectShape } from '../platform/tick-object-shape.ts'

/**
 * `sentia serve`: the only place that listens. Owns the process lifecycle: start, then on
 * SIGTERM/SIGINT stop accepting, finish in-flight requests and running jobs, close pools,
 * release the data-dir lock and exit 0 (or 1 if that takes longer than SHUTDOWN_TIMEOUT_MS).
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server: HTTP API and web UI, job worker and scheduler')
    .option(
      '--role <role>',
      'all | api (HTTP only) | worker (jobs and schedules; HTTP serves health and metrics)',
      'all',
    )
    .action(async (options: { role: string }) => {
      if (!['all', 'api', 'worker'].includes(options.role)) {
        throw new Error(`--role must be all, api or worker (got "${options.role}")`)
      }
      await serve(options.role as Role)
    })
}

export async function serve(role: Role): Promise<void> {
  await holdTickObjectShape()
  const config = loadConfig()
  const logger = createLogger(config)
  // Loaded here rather than at the top so that `sentia --help` does not load the whole server.
  const { buildApp } = await import('../app.ts')
  const { createContext, startContext } = await import('../context.ts')
  const { seedFreshCluster } = await import('../modules/demo/first-start.ts')
  logger.info({ config: describeConfig(config), role }, 'starting')
  await seedFreshCluster(config, logger)
  const ctx = await createContext({ config, logger, role })
  const crash = crashHandler(ctx, logger)
  process.on('uncaughtException', (error, origin) => void crash(error, origin))
  process.on('unhandledRejection', (reason) => void crash(reason, 'unhandledRejection'))
  let app: FastifyInstance | undefined
  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting')
      ctx.dataDirLock?.release()
      process.exit(1)
    }, config.shutdownTimeoutMs)
    timer.unref()
    try {
      await stop(ctx, app, logger)
      logger.info('stopped')
      logger.flush()
      process.exit(0)
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed')
      ctx.dataDirLock?.release()
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'))
  process.once('SIGINT', () => void shutdown('SIGINT'))

  try {
    app = await buildApp(ctx)
    await startContext(ctx)
    const url = await app.listen({ host: config.host, port: config.port })
    ctx.lifecycle.state = 'ready'
    logger.info({ url, role, engine: ctx.database.engine, pid: process.pid }, 'ready')
    // Start-up (migrations, a first demo load) leaves garbage an idle process would keep for a
    // long time; `npm start` passes --expose-gc so one full collection hands it back now.
    ;(globalThis as { gc?: () => void }).gc?.()
  } catch (error) {
    await stop(ctx, app, logger).catch(() => ctx.dataDirLock?.release())
    throw error
  }
}

/** How long a crash waits for the error tracker before exiting. */
const CRASH_REPORT_MS = 2000

/**
 * What an uncaught exception or unhandled rejection does: one fatal log line, a report to the
 * error tracker (waited for up to CRASH_REPORT_MS), then exit 1, as Node does without a handler
 * (a process in an unknown state must not keep serving). A second crash meanwhile exits at once.
 */
export function crashHandler(
  ctx: AppContext,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): (error: unknown, origin: string) => Promise<void> {
  let crashing = false
  return async (error, origin) => {
    if (crashing) return exit(1)
    crashing = true
    logger.fatal({ err: error, origin }, 'crashed')
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      ctx.errorSink.report({ error, source: 'server', route: origin }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CRASH_REPORT_MS)
      }),
    ])
    clearTimeout(timer)
    logger.flush()
    exit(1)
  }
}

export async function stop(ctx: AppContext, app: FastifyInstance | undefined, logger: Logger): Promise<void> {
  ctx.lifecycle.state = 'stopping'
  const { closeContext } = await import('../context.ts')
  // Stop accepting and let in-flight requests finish before the pools close under them.
  if (app) await app.close()
  logger.debug('http server closed')
  await closeContext(ctx)
}
