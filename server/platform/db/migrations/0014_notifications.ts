import { type Kysely, sql } from 'kysely'

/**
 * Notifications: the channels an admin configured (the environment's `slack` and `email`
 * channels are not stored), the outbox every message is written to before it is sent, and one
 * row per delivery attempt (per-channel success rates and last errors come from these).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table notification_channels (
    name text primary key check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    kind text not null check (kind in ('slack', 'webhook', 'email')),
    destination text not null,
    secret text,
    enabled boolean not null default true,
    created_by text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db)

  await sql`create table notification_outbox (
    id bigint generated always as identity primary key,
    idempotency_key text not null unique,
    channel text,
    target_kind text not null check (target_kind in ('slack', 'webhook', 'email')),
    destination text,
    title text not null,
    content jsonb not null,
    source text,
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'dead')),
    attempts integer not null default 0,
    next_attempt_at timestamptz not null,
    locked_until timestamptz,
    lease_id uuid,
    last_error text,
    last_error_at timestamptz,
    created_at timestamptz not null,
    sent_at timestamptz,
    dead_at timestamptz,
    check ((channel is null) <> (destination is null))
  )`.execute(db)
  await sql`create index notification_outbox_due_idx on notification_outbox (next_attempt_at)
    where status = 'pending'`.execute(db)
  await sql`create index notification_outbox_lease_idx on notification_outbox (locked_until)
    where status = 'sending'`.execute(db)
  await sql`create index notification_outbox_status_idx on notification_outbox (status, id desc)`.execute(db)
  await sql`create index notification_outbox_source_idx on notification_outbox (source, id desc)`.execute(db)
  await sql`create index notification_outbox_sent_at_idx on notification_outbox (sent_at)
    where status = 'sent'`.execute(db)

  await sql`create table notification_attempts (
    id bigint generated always as identity primary key,
    message_id bigint not null references notification_outbox (id) on delete cascade,
    channel text,
    target_kind text not null check (target_kind in ('slack', 'webhook', 'email')),
    attempt integer not null,
    attempted_at timestamptz not null,
    outcome text not null check (outcome in ('sent', 'failed')),
    error text,
    duration_ms integer not null
  )`.execute(db)
  await sql`create index notification_attempts_message_idx on notification_attempts (message_id, id)`.execute(
    db,
  )
  await sql`create index notification_attempts_channel_idx on notification_attempts
    (coalesce(channel, 'direct:' || target_kind), attempted_at desc)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table notification_attempts`.execute(db)
  await sql`drop table notification_outbox`.execute(db)
  await sql`drop table notification_channels`.execute(db)
}
