import { type Kysely, sql } from 'kysely'

/**
 * One row per connector (a scheduled pull from an outside service): where its next sync starts,
 * how its last run went, whether a run holds the lease now, the breaker state its last run saw,
 * and an admin's forced-open flag that every replica honours.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table connector_state (
    name text primary key,
    cursor text,
    running_since timestamptz,
    last_started_at timestamptz,
    last_finished_at timestamptz,
    last_trigger text check (last_trigger in ('schedule', 'manual', 'cli')),
    last_outcome text check (last_outcome in ('ok', 'failed', 'skipped')),
    last_message text,
    last_notes jsonb not null default '[]',
    last_fetched integer not null default 0,
    last_written integer not null default 0,
    last_skipped integer not null default 0,
    last_success_at timestamptz,
    breaker_state text not null default 'closed' check (breaker_state in ('closed', 'open', 'halfOpen')),
    breaker_since timestamptz,
    forced_open boolean not null default false,
    forced_by text,
    forced_at timestamptz,
    updated_at timestamptz not null default now()
  )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table connector_state`.execute(db)
}
