import { type Kysely, sql } from 'kysely'

/**
 * The error tracker: one row per error group (fingerprint = type + normalized top frames),
 * upserted on every occurrence, and occurrences per group and hour for a sparkline. Groups
 * not seen for ERRORS_RETENTION_DAYS are deleted (their hours with them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table error_groups (
    id bigserial primary key,
    fingerprint text not null unique,
    type text not null,
    message text not null,
    source text not null check (source in ('server', 'web', 'job')),
    count bigint not null default 1,
    first_seen timestamptz not null,
    last_seen timestamptz not null,
    first_release text,
    last_release text,
    route text,
    sample_request_id text,
    sample_stack text
  )`.execute(db)
  await sql`create index error_groups_last_seen_idx on error_groups (last_seen desc, id desc)`.execute(db)
  await sql`create table error_hourly (
    group_id bigint not null references error_groups (id) on delete cascade,
    hour timestamptz not null,
    count integer not null,
    primary key (group_id, hour)
  )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table error_hourly`.execute(db)
  await sql`drop table error_groups`.execute(db)
}
