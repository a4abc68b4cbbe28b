import type { AppContext } from '../../context.ts'

/**
 * What the built-in backup alert rules watch, as numbers the sampler stores once a minute.
 * Self-contained: the metric catalog imports it.
 */

/**
 * Seconds since the newest verified-good backup's snapshot (ctx.clock). With none verified, since
 * the oldest backup attempt of any status: once backups are being taken, going without a verified
 * one counts from the first attempt. Null when no backup was ever attempted.
 */
export async function newestVerifiedBackupAgeSeconds(ctx: AppContext): Promise<number | null> {
  const good = await ctx.db
    .selectFrom('backups')
    .select('started_at')
    .where('status', '=', 'complete')
    .where('verify_state', '=', 'good')
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()
  return good ? (ctx.clock.ms() - good.started_at.getTime()) / 1000 : null
}

/** `backup_rpo_excess_seconds`: how far the newest verified backup's age is past RPO_OBJECTIVE (0: within). */
export async function rpoExcessSeconds(ctx: AppContext): Promise<number> {
  let age = await newestVerifiedBackupAgeSeconds(ctx)
  if (age === null) {
    const first = await ctx.db
      .selectFrom('backups')
      .select((eb) => eb.fn.min('started_at').as('at'))
      .executeTakeFirst()
    if (!first?.at) return 0
    age = (ctx.clock.ms() - new Date(first.at).getTime()) / 1000
  }
  return Math.max(0, Math.round(age - ctx.config.backups.objectives.rpoSeconds))
}

const latestDrill = (ctx: AppContext) =>
  ctx.db
    .selectFrom('backup_drills')
    .select(['outcome', 'rto_seconds'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()

/** `backup_drill_failed`: 1 when the latest recovery drill failed, else 0. */
export async function drillFailed(ctx: AppContext): Promise<number> {
  return (await latestDrill(ctx))?.outcome === 'failed' ? 1 : 0
}

/** `backup_drill_rto_excess_seconds`: how far the latest drill's measured RTO is past RTO_OBJECTIVE (0: within). */
export async function drillRtoExcessSeconds(ctx: AppContext): Promise<number> {
  const rto = (await latestDrill(ctx))?.rto_seconds
  if (rto === null || rto === undefined) return 0
  return Math.max(0, Math.round(rto - ctx.config.backups.objectives.rtoSeconds))
}
