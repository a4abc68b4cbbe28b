import { type Kysely, sql } from 'kysely'

/**
 * Stored metric time series (modules/monitoring): raw samples (one row per metric, replica and
 * sample; kept for hours), rollups per minute, hour and day (count, sum, min, max and the first
 * and last sample time per metric, replica and bucket; kept for days, a year, forever), and the
 * claims that let one replica a minute take the cluster-wide samples. Rows of cluster-wide
 * series (sampling coverage, business figures) carry the instance id '*'.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table metric_samples (
    name text not null,
    instance_id text not null,
    at timestamptz not null,
    value double precision not null,
    primary key (name, at, instance_id)
  )`.execute(db)
  // The retention job deletes by age across all names.
  await sql`create index metric_samples_at_idx on metric_samples (at)`.execute(db)
  for (const table of ['metric_minutes', 'metric_hours', 'metric_days']) {
    await sql`create table ${sql.table(table)} (
      name text not null,
      instance_id text not null,
      bucket timestamptz not null,
      count integer not null,
      sum double precision not null,
      min double precision not null,
      max double precision not null,
      first_at timestamptz not null,
      last_at timestamptz not null,
      primary key (name, bucket, instance_id)
    )`.execute(db)
  }
  await sql`create index metric_minutes_bucket_idx on metric_minutes (bucket)`.execute(db)
  await sql`create index metric_hours_bucket_idx on metric_hours (bucket)`.execute(db)
  await sql`create table metric_claims (
    name text primary key,
    minute timestamptz not null,
    instance_id text not null
  )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table metric_claims`.execute(db)
  await sql`drop table metric_days`.execute(db)
  await sql`drop table metric_hours`.execute(db)
  await sql`drop table metric_minutes`.execute(db)
  await sql`drop table metric_samples`.execute(db)
}
