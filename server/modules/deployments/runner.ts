import type { AppContext } from '../../context.ts'
import { checkDeployments } from './check.ts'

/**
 * Runs the regression check every DEPLOY_REGRESSION_CHECK_SECONDS on each replica that runs
 * background work. Replicas may run it at the same time: each deployment is claimed by one.
 */
export class CheckLoop {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(private readonly ctx: AppContext) {}

  start(): void {
    if (this.ctx.config.deployments.checkSeconds <= 0) return
    this.#schedule()
  }

  #schedule(): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.#running = this.#tick().finally(() => {
        this.#running = undefined
        this.#schedule()
      })
    }, this.ctx.config.deployments.checkSeconds * 1000)
    this.#timer.unref()
  }

  async #tick(): Promise<void> {
    try {
      const report = await checkDeployments(this.ctx)
      if (report.checked > 0) this.ctx.logger.info(report, 'deployments checked')
    } catch (error) {
      this.ctx.logger.error({ err: error }, 'deployment check failed')
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }
}
