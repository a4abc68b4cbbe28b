import type { AppContext } from '../../context.ts'
import type { Module } from '../module.ts'
import { deploymentsRoutes } from './routes.ts'
import { CheckLoop } from './runner.ts'
import { recordStartupDeployment } from './service.ts'

const loops = new WeakMap<AppContext, CheckLoop>()

/**
 * Release tracking: every process records the release it starts (once per new version or commit
 * across replicas); CI records deploys and rollbacks through the API; replicas that run
 * background work check each deployment for a regression once its after-window has passed.
 */
export const deploymentsModule: Module = {
  name: 'deployments',
  routes: deploymentsRoutes,
  async start(ctx) {
    try {
      await recordStartupDeployment(ctx)
    } catch (error) {
      // Release tracking must never keep the app from serving.
      ctx.logger.error({ err: error }, 'could not record the deployment at start')
    }
    if (ctx.role === 'api') return
    const loop = new CheckLoop(ctx)
    loops.set(ctx, loop)
    loop.start()
  },
  async stop(ctx) {
    await loops.get(ctx)?.stop()
  },
}
