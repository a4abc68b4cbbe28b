import type { AppContext } from '../../context.ts'
import { countCurrentRegressions } from './repo.ts'

const DAY_MS = 86_400_000

/**
 * The `deployment_regressions` metric: deployments of this instance's environment that started
 * in the last 24 hours, were found regressed and are still the current release (no later
 * deployment of the environment has succeeded). In practice 0 or 1; a rollback or a fixed
 * release brings it back to 0, and the "Deployment regression" alert resolves.
 */
export function deploymentRegressions(ctx: AppContext): Promise<number> {
  return countCurrentRegressions(ctx.db, ctx.config.env, new Date(ctx.clock.ms() - DAY_MS))
}
