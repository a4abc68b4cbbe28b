import type { AppContext } from '../../context.ts'
import type { Module } from '../module.ts'
import { alertingRoutes } from './routes.ts'
import { ensureDefaultRules } from './rules.ts'
import { EvaluationLoop } from './runner.ts'

const loops = new WeakMap<AppContext, EvaluationLoop>()

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
  },
  async stop(ctx) {
    await loops.get(ctx)?.stop()
  },
}
