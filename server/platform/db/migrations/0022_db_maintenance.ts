import { type Kysely, sql } from 'kysely'

/**
 * Database maintenance: one row per run of a maintenance or retention job (ANALYZE, REINDEX of
 * bloated indexes, audit/metric/error retention), with the process that ran it, how long it took,
 * its outcome and what it did. A run in progress has no outcome yet. Rows older than 400 days are
 * deleted by the runs themselves.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table db_maintenance_runs (
    id bigserial primary key,
    job text not null check (length(job) between 1 and 100),
    instance text not null,
    started_at timestamptz not null,
    finished_at timestamptz check (finished_at >= started_at),
    duration_ms integer check (duration_ms >= 0),
    outcome text check (outcome in ('ok', 'failed', 'skipped')),
    detail jsonb,
    error text,
    check ((outcome is null) = (finished_at is null))
  )`.execute(db)
  await sql`create index db_maintenance_runs_job_idx on db_maintenance_runs (job, started_at desc)`.execute(
    db,
  )
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table db_maintenance_runs`.execute(db)
}
