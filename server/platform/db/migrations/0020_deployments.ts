import { type Kysely, sql } from 'kysely'

/**
 * Release tracking: one row per deployment or rollback of a version to an environment, recorded
 * when a replica starts a new version or when CI posts it, with the regression check's verdict
 * (error rate and p95 response time in a window after it against the window before) and, for a
 * regressed one, the last good deployment to roll back to. A check is claimed per row with a
 * lease, so one replica checks each deployment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table deployments (
    id bigserial primary key,
    environment text not null check (length(environment) between 1 and 32),
    version text not null check (length(version) between 1 and 100),
    commit text check (length(commit) between 1 and 64),
    kind text not null check (kind in ('deploy', 'rollback')),
    status text not null check (status in ('started', 'succeeded', 'failed')),
    source text not null check (source in ('startup', 'api', 'cli')),
    started_at timestamptz not null,
    finished_at timestamptz check (finished_at >= started_at),
    created_by text not null,
    notes text,
    rolls_back_id bigint references deployments (id),
    check_state text not null default 'pending'
      check (check_state in ('pending', 'ok', 'regressed', 'insufficient_data', 'skipped')),
    checked_at timestamptz,
    check_detail jsonb,
    last_good_id bigint references deployments (id),
    check_claimed_by text,
    check_claimed_until timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    check (status <> 'started' or finished_at is null),
    check (kind = 'rollback' or rolls_back_id is null)
  )`.execute(db)
  await sql`create index deployments_environment_idx on deployments (environment, started_at desc, id desc)`.execute(
    db,
  )
  await sql`create index deployments_started_idx on deployments (started_at desc, id desc)`.execute(db)
  await sql`create index deployments_pending_idx on deployments (started_at) where check_state = 'pending'`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table deployments`.execute(db)
}
