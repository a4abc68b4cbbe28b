import { type Kysely, sql } from 'kysely'

/**
 * Alerting: rules over stored metrics, the alerts they raise (one active alert per rule and
 * labels), every escalation step taken (so a restart neither skips nor repeats one), the
 * timeline of each alert, escalation policies per severity, silences, the evaluator's claim row
 * (one evaluation at a time across replicas) and the maintenance summaries already sent.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create table alert_rules (
    id bigserial primary key,
    name text not null unique,
    description text not null default '',
    metric text not null,
    kind text not null check (kind in ('threshold', 'change', 'deviation', 'absence')),
    params jsonb not null,
    severity text not null check (severity in ('critical', 'high', 'medium', 'low')),
    for_seconds integer not null default 0 check (for_seconds >= 0),
    labels jsonb not null default '{}',
    enabled boolean not null default true,
    builtin text unique,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`.execute(db)
  await sql`create table alerts (
    id bigserial primary key,
    rule_id bigint not null references alert_rules (id) on delete cascade,
    fingerprint text not null,
    labels jsonb not null default '{}',
    state text not null check (state in ('pending', 'firing', 'resolved')),
    severity text not null check (severity in ('critical', 'high', 'medium', 'low')),
    value double precision,
    summary text not null,
    pending_since timestamptz not null,
    fired_at timestamptz,
    resolved_at timestamptz,
    acknowledged_at timestamptz,
    acknowledged_by text,
    ack_note text,
    escalation_anchor_at timestamptz,
    silenced_by bigint,
    maintenance_window_id text,
    maintenance_ends_at timestamptz,
    updated_at timestamptz not null
  )`.execute(db)
  await sql`create unique index alerts_active_fingerprint_idx on alerts (fingerprint) where state <> 'resolved'`.execute(
    db,
  )
  await sql`create index alerts_state_idx on alerts (state, id desc)`.execute(db)
  await sql`create index alerts_fired_at_idx on alerts (fired_at desc, id desc)`.execute(db)
  await sql`create index alerts_maintenance_idx on alerts (maintenance_ends_at)
    where maintenance_ends_at is not null`.execute(db)
  await sql`create table alert_steps (
    alert_id bigint not null references alerts (id) on delete cascade,
    step integer not null,
    done_at timestamptz not null,
    outcome text not null check (outcome in ('sent', 'suppressed')),
    primary key (alert_id, step)
  )`.execute(db)
  await sql`create table alert_events (
    id bigserial primary key,
    alert_id bigint not null references alerts (id) on delete cascade,
    at timestamptz not null,
    kind text not null,
    detail jsonb not null default '{}'
  )`.execute(db)
  await sql`create index alert_events_alert_idx on alert_events (alert_id, id)`.execute(db)
  await sql`create table escalation_policies (
    severity text primary key check (severity in ('critical', 'high', 'medium', 'low')),
    steps jsonb not null,
    updated_at timestamptz not null default now()
  )`.execute(db)
  await sql`create table alert_silences (
    id bigserial primary key,
    rule_id bigint references alert_rules (id) on delete cascade,
    alert_id bigint references alerts (id) on delete cascade,
    labels jsonb not null default '{}',
    reason text not null,
    created_by text not null,
    starts_at timestamptz not null,
    ends_at timestamptz,
    cancelled_at timestamptz,
    created_at timestamptz not null default now(),
    check (ends_at is not null or alert_id is not null)
  )`.execute(db)
  await sql`create table alert_evaluator (
    id integer primary key check (id = 1),
    started_at timestamptz,
    finished_at timestamptz,
    owner text
  )`.execute(db)
  await sql`insert into alert_evaluator (id) values (1)`.execute(db)
  await sql`create table maintenance_summaries (
    window_id text not null,
    occurrence_end timestamptz not null,
    sent_at timestamptz not null,
    primary key (window_id, occurrence_end)
  )`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'maintenance_summaries',
    'alert_evaluator',
    'alert_silences',
    'escalation_policies',
    'alert_events',
    'alert_steps',
    'alerts',
    'alert_rules',
  ])
    await sql`drop table ${sql.table(table)}`.execute(db)
}
