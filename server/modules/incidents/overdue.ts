import type { AppContext } from '../../context.ts'

/**
 * What is late after an incident, as counts the sampler stores once a minute and the built-in
 * alert rules watch (`postmortem_actions_overdue`, `security_steps_overdue`).
 */

/** Self-contained (the metric catalog imports it): today as "YYYY-MM-DD" in UTC. */
const utcDay = (at: Date) => at.toISOString().slice(0, 10)

/** Open post-mortem action items due before today; days are UTC (the app has no business time zone). */
export async function postmortemActionsOverdue(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom('postmortem_actions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'open')
    .where('due_date', '<', utcDay(ctx.clock.now()))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Data-breach checklist steps not done by their deadline. A resolved security incident's steps
 * still count: the notification duties (legal, customers, regulators within 72 h) outlast the
 * technical fix. A step that does not apply is marked done with a note saying why.
 */
export async function securityStepsOverdue(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom('incident_checklist')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('done_at', 'is', null)
    .where('due_at', '<', ctx.clock.now())
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
