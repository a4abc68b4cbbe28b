import type { Selectable, Transaction } from 'kysely'
import type { Db } from '../../platform/db/database.ts'
import type { ConnectorStateTable, SyncTrigger, Tables } from '../../platform/db/schema.ts'
import type { BreakerState } from '../../platform/resilience/breaker.ts'

/** The `connector_state` table: one row per connector, written by runs and by admins. */

export type StateRow = Selectable<ConnectorStateTable>
type Executor = Db | Transaction<Tables>

/** The longest run: its lease lapses then (another run may take it over), and the run is aborted. */
export const RUN_LIMIT_MS = 60 * 60_000

/** Notes kept per run, and the longest message stored. */
export const MAX_NOTES = 20
export const MAX_MESSAGE = 1000

export async function readStates(db: Executor): Promise<Map<string, StateRow>> {
  const rows = await db.selectFrom('connector_state').selectAll().execute()
  return new Map(rows.map((row) => [row.name, row]))
}

export function readState(db: Executor, name: string): Promise<StateRow | undefined> {
  return db.selectFrom('connector_state').selectAll().where('name', '=', name).executeTakeFirst()
}

/**
 * Takes the run lease: true unless another run holds it (started less than `leaseMs` ago, on any
 * replica or in the CLI). A lease older than that belongs to a process that died and is taken over.
 */
export async function claimRun(
  db: Db,
  name: string,
  trigger: SyncTrigger,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const expired = new Date(now.getTime() - leaseMs)
  const start = { running_since: now, last_started_at: now, last_trigger: trigger, updated_at: now }
  const claimed = await db
    .insertInto('connector_state')
    .values({ name, ...start })
    .onConflict((conflict) =>
      conflict
        .column('name')
        .doUpdateSet(start)
        .where((eb) =>
          eb.or([
            eb('connector_state.running_since', 'is', null),
            eb('connector_state.running_since', '<', expired),
          ]),
        ),
    )
    .returning('name')
    .executeTakeFirst()
  return claimed !== undefined
}

export interface RunRecord {
  outcome: 'ok' | 'failed'
  finishedAt: Date
  message: string | null
  notes: string[]
  counts: { fetched: number; written: number; skipped: number }
  /** Null keeps the stored cursor. */
  cursor: string | null
  breaker: { state: BreakerState; since: Date }
}

/** Ends a run: its outcome and counts, the new cursor after a success, and the lease released. */
export async function finishRun(db: Db, name: string, run: RunRecord): Promise<void> {
  await db
    .updateTable('connector_state')
    .set((eb) => ({
      running_since: null,
      last_finished_at: run.finishedAt,
      last_outcome: run.outcome,
      last_message: run.message?.slice(0, MAX_MESSAGE) ?? null,
      last_notes: JSON.stringify(run.notes.slice(0, MAX_NOTES)),
      last_fetched: run.counts.fetched,
      last_written: run.counts.written,
      last_skipped: run.counts.skipped,
      ...(run.outcome === 'ok' ? { last_success_at: run.finishedAt } : {}),
      cursor: run.cursor ?? eb.ref('cursor'),
      breaker_state: run.breaker.state,
      breaker_since: run.breaker.since,
      updated_at: run.finishedAt,
    }))
    .where('name', '=', name)
    .execute()
}

/** A run that did not start (not configured, breaker open): recorded, nothing else touched. */
export async function recordSkip(
  db: Db,
  name: string,
  trigger: SyncTrigger,
  at: Date,
  reason: string,
  breaker?: { state: BreakerState; since: Date },
): Promise<void> {
  const skip = {
    last_started_at: at,
    last_finished_at: at,
    last_trigger: trigger,
    last_outcome: 'skipped' as const,
    last_message: reason.slice(0, MAX_MESSAGE),
    last_notes: '[]',
    last_fetched: 0,
    last_written: 0,
    last_skipped: 0,
    ...(breaker ? { breaker_state: breaker.state, breaker_since: breaker.since } : {}),
    updated_at: at,
  }
  await db
    .insertInto('connector_state')
    .values({ name, ...skip })
    .onConflict((conflict) => conflict.column('name').doUpdateSet(skip))
    .execute()
}

/** Sets or clears the forced-open flag; closing also records the breaker as closed. */
export async function setForcedOpen(
  tx: Transaction<Tables>,
  name: string,
  forced: boolean,
  by: string,
  at: Date,
): Promise<void> {
  const change = {
    forced_open: forced,
    forced_by: by,
    forced_at: at,
    ...(forced ? {} : { breaker_state: 'closed' as const, breaker_since: at }),
    updated_at: at,
  }
  await tx
    .insertInto('connector_state')
    .values({ name, ...change })
    .onConflict((conflict) => conflict.column('name').doUpdateSet(change))
    .execute()
}
