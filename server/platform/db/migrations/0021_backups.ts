import { type Kysely, sql } from 'kysely'

/**
 * Backups: one row per backup run (`bk_` + UTC time + a random suffix, so ids sort by time), with
 * where its copies are, its manifest (engine, versions, row counts per table, checksum) and the
 * result of its last verification. The archives themselves live in the backup stores.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table backups (
    id text primary key check (id ~ '^bk_[0-9]{8}T[0-9]{6}Z_[0-9a-f]{6}$'),
    engine text not null check (engine in ('postgres', 'pglite')),
    status text not null check (status in ('running', 'complete', 'failed')),
    started_at timestamptz not null,
    finished_at timestamptz check (finished_at >= started_at),
    size_bytes bigint check (size_bytes >= 0),
    sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
    stores text[] not null default '{}',
    manifest jsonb,
    verify_state text not null default 'unverified' check (verify_state in ('unverified', 'good', 'corrupt')),
    verified_at timestamptz,
    verify_report jsonb,
    error text,
    check (status <> 'complete' or (finished_at is not null and sha256 is not null and manifest is not null))
  )`.execute(db)
  await sql`create index backups_started_idx on backups (started_at desc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table backups`.execute(db)
}
