import { type ExpressionBuilder, type Selectable, sql, type Transaction } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import type { DeploymentsTable, Tables } from '../../platform/db/schema.ts'

/** The SQL of release tracking: only this file talks to the `deployments` table. */

export type Executor = Db | Transaction<Tables>
export type DeploymentRow = Selectable<DeploymentsTable>

/** Another deployment named by a row, as the join returns it (JSON: the time is text). */
export interface ReleaseRef {
  id: string
  version: string
  commit: string | null
  started_at: string
}

/** A row with the deployment it rolls back and the release named to roll back to. */
export interface JoinedRow extends DeploymentRow {
  rolls_back: ReleaseRef | null
  last_good: ReleaseRef | null
}

/**
 * Deployments of one environment are recorded one at a time (replicas starting together, CI
 * posting as a replica starts): a transaction-scoped advisory lock per environment, taken before
 * reading the newest deployment, so the second writer sees the first one's row.
 */
export async function lockEnvironment(tx: Transaction<Tables>, environment: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('sentia.deployments'), hashtext(${environment}))`.execute(
    tx,
  )
}

/** The same release: same version, and the same commit where both are known. */
export function sameRelease(
  eb: ExpressionBuilder<Tables, 'deployments'>,
  release: { version: string; commit: string | null },
) {
  return eb.and([
    eb('deployments.version', '=', release.version),
    release.commit === null
      ? eb.lit(true)
      : eb.or([eb('deployments.commit', 'is', null), eb('deployments.commit', '=', release.commit)]),
  ])
}

/** The environment's newest deployment (by start, then id), optionally only those that did not fail. */
export function newest(
  db: Executor,
  environment: string,
  options: { live?: boolean; before?: { startedAt: Date; id: string } } = {},
) {
  let query = db
    .selectFrom('deployments')
    .selectAll()
    .where('environment', '=', environment)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
  if (options.live) query = query.where('status', '<>', 'failed')
  const before = options.before
  if (before)
    query = query.where((eb) =>
      eb.or([
        eb('started_at', '<', before.startedAt),
        eb.and([eb('started_at', '=', before.startedAt), eb('id', '<', before.id)]),
      ]),
    )
  return query.executeTakeFirst()
}

/** The environment's next deployment after one that did not fail (the one that replaced it). */
export function nextLive(db: Executor, row: DeploymentRow) {
  return db
    .selectFrom('deployments')
    .selectAll()
    .where('environment', '=', row.environment)
    .where('status', '<>', 'failed')
    .where((eb) =>
      eb.or([
        eb('started_at', '>', row.started_at),
        eb.and([eb('started_at', '=', row.started_at), eb('id', '>', row.id)]),
      ]),
    )
    .orderBy('started_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst()
}

/** The environment's newest deployment of another release (any status): what a rollback undoes by default. */
export function newestOtherRelease(
  db: Executor,
  environment: string,
  release: { version: string; commit: string | null },
) {
  return db
    .selectFrom('deployments')
    .selectAll()
    .where('environment', '=', environment)
    .where((eb) => eb.not(sameRelease(eb, release)))
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Whether an earlier deployment of the environment (that did not fail) had this release. */
export async function hadRelease(
  db: Executor,
  environment: string,
  release: { version: string; commit: string | null },
): Promise<boolean> {
  const row = await db
    .selectFrom('deployments')
    .select('id')
    .where('environment', '=', environment)
    .where('status', '<>', 'failed')
    .where((eb) => sameRelease(eb, release))
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * The release to roll back to from a regressed deployment: the environment's newest earlier
 * deployment that succeeded, was checked and not found regressed (`ok`, or too quiet to judge),
 * and is another release.
 */
export function lastGood(db: Executor, row: DeploymentRow) {
  return db
    .selectFrom('deployments')
    .select(['id'])
    .where('environment', '=', row.environment)
    .where('status', '=', 'succeeded')
    .where('check_state', 'in', ['ok', 'insufficient_data'])
    .where((eb) =>
      eb.or([
        eb('started_at', '<', row.started_at),
        eb.and([eb('started_at', '=', row.started_at), eb('id', '<', row.id)]),
      ]),
    )
    .where((eb) => eb.not(sameRelease(eb, { version: row.version, commit: row.commit })))
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
}

const refOf = (alias: 'rb' | 'lg') =>
  sql<ReleaseRef | null>`case when ${sql.ref(`${alias}.id`)} is null then null else json_build_object(
    'id', ${sql.ref(`${alias}.id`)}::text, 'version', ${sql.ref(`${alias}.version`)},
    'commit', ${sql.ref(`${alias}.commit`)}, 'started_at', ${sql.ref(`${alias}.started_at`)}) end`

/** Deployments with the two releases they name, newest first. */
export function joined(db: Executor) {
  return db
    .selectFrom('deployments')
    .leftJoin('deployments as rb', 'rb.id', 'deployments.rolls_back_id')
    .leftJoin('deployments as lg', 'lg.id', 'deployments.last_good_id')
    .selectAll('deployments')
    .select([refOf('rb').as('rolls_back'), refOf('lg').as('last_good')])
}

/** Pending deployments that have finished (or failed), oldest first: what the regression check looks at. */
export function pending(db: Executor, limit: number) {
  return db
    .selectFrom('deployments')
    .selectAll()
    .where('check_state', '=', 'pending')
    .where('status', '<>', 'started')
    .orderBy('started_at')
    .orderBy('id')
    .limit(limit)
    .execute()
}

/**
 * Claims a pending deployment's check for this process until `until`: true for one caller, and
 * again only after the lease has run out (a process that died mid-check).
 */
export async function claimCheck(
  db: Executor,
  id: string,
  owner: string,
  now: Date,
  until: Date,
): Promise<boolean> {
  const claimed = await db
    .updateTable('deployments')
    .set({ check_claimed_by: owner, check_claimed_until: until })
    .where('id', '=', id)
    .where('check_state', '=', 'pending')
    .where((eb) => eb.or([eb('check_claimed_until', 'is', null), eb('check_claimed_until', '<', now)]))
    .returning('id')
    .executeTakeFirst()
  return claimed !== undefined
}

/** Stores a verdict, only while this process's claim holds (a reset in between voids it). */
export async function writeVerdict(
  db: Executor,
  id: string,
  owner: string,
  verdict: {
    state: DeploymentRow['check_state']
    checkedAt: Date
    detail: Record<string, unknown>
    lastGoodId: string | null
  },
): Promise<boolean> {
  const written = await db
    .updateTable('deployments')
    .set({
      check_state: verdict.state,
      checked_at: verdict.checkedAt,
      check_detail: JSON.stringify(verdict.detail),
      last_good_id: verdict.lastGoodId,
      check_claimed_by: null,
      check_claimed_until: null,
    })
    .where('id', '=', id)
    .where('check_state', '=', 'pending')
    .where('check_claimed_by', '=', owner)
    .returning('id')
    .executeTakeFirst()
  return written !== undefined
}

/** Gives a claim back without a verdict (the window has not passed, or the check failed). */
export async function releaseCheck(db: Executor, id: string, owner: string): Promise<void> {
  await db
    .updateTable('deployments')
    .set({ check_claimed_by: null, check_claimed_until: null })
    .where('id', '=', id)
    .where('check_claimed_by', '=', owner)
    .execute()
}

/**
 * Regressed deployments of the environment that started since `since` and are still the
 * current release: no later deployment of the environment has succeeded.
 */
export async function countCurrentRegressions(
  db: Executor,
  environment: string,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('deployments as d')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('d.environment', '=', environment)
    .where('d.check_state', '=', 'regressed')
    .where('d.started_at', '>=', since)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('deployments as later')
            .select('later.id')
            .whereRef('later.environment', '=', 'd.environment')
            .where('later.status', '=', 'succeeded')
            .where((eb) =>
              eb.or([
                eb('later.started_at', '>', eb.ref('d.started_at')),
                eb.and([
                  eb('later.started_at', '=', eb.ref('d.started_at')),
                  eb('later.id', '>', eb.ref('d.id')),
                ]),
              ]),
            ),
        ),
      ),
    )
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
