import { type Kysely, sql } from 'kysely'

/**
 * Maintenance windows: one-off (`starts_at`, `ends_at`) or recurring (`cron` read in `timezone`,
 * `duration_minutes`, optional `recur_until`; the recurrence begins at `created_at`). Windows are
 * cancelled, never deleted, so past occurrences stay known.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table maintenance_windows (
    id uuid primary key,
    title text not null check (length(title) between 1 and 200),
    description text,
    timezone text not null,
    read_only boolean not null default false,
    starts_at timestamptz,
    ends_at timestamptz,
    cron text,
    duration_minutes integer,
    recur_until timestamptz,
    created_by text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    cancelled_at timestamptz,
    cancelled_by text,
    check (
      (cron is null and duration_minutes is null and recur_until is null
        and starts_at is not null and ends_at > starts_at)
      or (cron is not null and duration_minutes > 0 and starts_at is null and ends_at is null)
    )
  )`.execute(db)
  await sql`create index maintenance_windows_open_idx on maintenance_windows (created_at)
    where cancelled_at is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table maintenance_windows`.execute(db)
}
