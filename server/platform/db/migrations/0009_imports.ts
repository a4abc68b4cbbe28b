import { type Kysely, sql } from 'kysely'

/**
 * CSV import history: one row per real (not dry-run) import, written when it starts and
 * completed with its report when it ends. A row left `running` belongs to an import whose
 * process stopped before the end; its committed batches stay (each batch commits on its own).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table import_runs (
    id text primary key,
    type text not null check (type in ('orders', 'products', 'stock', 'sessions')),
    file_name text,
    status text not null check (status in ('running', 'succeeded', 'partial', 'failed')),
    actor_type text not null check (actor_type in ('user', 'apikey', 'system')),
    actor_id text,
    started_at timestamptz not null,
    finished_at timestamptz,
    rows_read integer not null default 0,
    created integer not null default 0,
    updated integer not null default 0,
    skipped integer not null default 0,
    failed integer not null default 0,
    report jsonb
  )`.execute(db)
  await sql`create index import_runs_started_at_idx on import_runs (started_at desc, id desc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table import_runs`.execute(db)
}
