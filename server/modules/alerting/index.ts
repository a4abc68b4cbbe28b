import type { AppContext } from '../../context.ts'
import { healthChecks } from '../health/service.ts'
import type { Module } from '../module.ts'
import { DatabaseWatch } from './database-down.ts'
import { alertingRoutes } from './routes.ts'
import { ensureDefaultRules } from './rules.ts'
import { EvaluationLoop } from './runner.ts'

const loops = new WeakMap<AppContext, EvaluationLoop>()
const watches = new WeakMap<AppContext, DatabaseWatch>()

/** Alert rules, alerts with escalation, silences; evaluated by replicas that run background work. */
export const alertingModule: Module = {
  name: 'alerting',
  routes: alertingRoutes,
  async start(ctx) {
    await ensureDefaultRules(ctx)
    if (ctx.role === 'api') return
    const loop = new EvaluationLoop(ctx)
    loops.set(ctx, loop)
    loop.start()
    // The processes that evaluate watch the database for the "Database down" alert.
    if (ctx.config.alerting.evaluationSeconds > 0 && ctx.database.engine === 'postgres') {
      const watch = new DatabaseWatch(ctx, () => healthChecks(ctx).database!())
      watches.set(ctx, watch)
      watch.start()
    }
  },
  async stop(ctx) {
    await watches.get(ctx)?.stop()
    await loops.get(ctx)?.stop()
  },
}
