import { type Kysely, sql } from 'kysely'

/**
 * Recovery drills: one row per drill (the newest backup restored into a scratch database, checked
 * and dropped), with its outcome, the measured RTO (seconds from the drill's start to a usable
 * restored database) and RPO (drill start minus the backup's snapshot time), and its report.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table backup_drills (
    id bigserial primary key,
    backup_id text references backups (id) on delete set null,
    started_at timestamptz not null,
    finished_at timestamptz check (finished_at >= started_at),
    outcome text not null check (outcome in ('passed', 'failed')),
    rto_seconds double precision check (rto_seconds >= 0),
    rpo_seconds double precision,
    report jsonb not null default '{}',
    error text,
    actor text not null
  )`.execute(db)
  await sql`create index backup_drills_started_idx on backup_drills (started_at desc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table backup_drills`.execute(db)
}
