import type { AppContext } from '../../context.ts'

/** Open incidents whose lead has not acknowledged them within their severity's response time. */
export async function responseOverdueCount(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom('incidents')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '<>', 'resolved')
    .where('acknowledged_at', 'is', null)
    .where('response_due_at', '<', ctx.clock.now())
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
