import { type Kysely, sql } from 'kysely'

/**
 * Incidents: the incident itself (severity P0–P3, status, lead, participants, affected
 * components, the channels its messages go to), its timeline, the alerts attached to it, the
 * escalation steps taken while its lead had not acknowledged it (one row per step, written with
 * its messages), escalation policies per severity, the security checklist with deadlines from
 * detection, and the post-mortem with its action items.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`create table incidents (
      id bigserial primary key,
      title text not null,
      kind text not null default 'standard' check (kind in ('standard', 'security')),
      severity text not null check (severity in ('P0', 'P1', 'P2', 'P3')),
      status text not null check (status in ('investigating', 'identified', 'mitigating', 'monitoring', 'resolved')),
      impact text not null default '',
      lead_user_id text references users (id) on delete set null,
      participants jsonb not null default '[]',
      components jsonb not null default '[]',
      channels jsonb not null default '[]',
      source text not null check (source in ('manual', 'api', 'alert', 'cli')),
      detected_at timestamptz not null,
      created_at timestamptz not null,
      created_by text not null,
      response_due_at timestamptz not null,
      acknowledged_at timestamptz,
      acknowledged_by text,
      escalation_anchor_at timestamptz not null,
      resolved_at timestamptz,
      updated_at timestamptz not null
    )`,
    sql`create index incidents_open_idx on incidents (created_at desc) where status <> 'resolved'`,
    sql`create index incidents_created_idx on incidents (created_at desc, id desc)`,
    sql`create table incident_events (
      id bigserial primary key,
      incident_id bigint not null references incidents (id) on delete cascade,
      at timestamptz not null,
      kind text not null,
      actor text,
      detail jsonb not null default '{}'
    )`,
    sql`create index incident_events_incident_idx on incident_events (incident_id, id)`,
    sql`create table incident_alerts (
      alert_id bigint primary key references alerts (id) on delete cascade,
      incident_id bigint not null references incidents (id) on delete cascade,
      attached_at timestamptz not null
    )`,
    sql`create index incident_alerts_incident_idx on incident_alerts (incident_id, attached_at)`,
    sql`create table incident_steps (
      incident_id bigint not null references incidents (id) on delete cascade,
      step integer not null,
      done_at timestamptz not null,
      primary key (incident_id, step)
    )`,
    sql`create table incident_policies (
      severity text primary key check (severity in ('P0', 'P1', 'P2', 'P3')),
      steps jsonb not null,
      updated_at timestamptz not null default now()
    )`,
    sql`create table incident_checklist (
      incident_id bigint not null references incidents (id) on delete cascade,
      key text not null,
      position integer not null,
      phase text not null,
      title text not null,
      due_at timestamptz not null,
      done_at timestamptz,
      done_by text,
      note text,
      primary key (incident_id, key)
    )`,
    sql`create index incident_checklist_due_idx on incident_checklist (due_at) where done_at is null`,
    sql`create table postmortems (
      incident_id bigint primary key references incidents (id) on delete cascade,
      summary text not null default '',
      impact text not null default '',
      timeline text not null default '',
      root_cause text not null default '',
      went_well text not null default '',
      went_badly text not null default '',
      status text not null default 'draft' check (status in ('draft', 'published')),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      updated_by text,
      published_at timestamptz
    )`,
    sql`create table postmortem_actions (
      id bigserial primary key,
      incident_id bigint not null references postmortems (incident_id) on delete cascade,
      title text not null,
      owner text not null,
      due_date date not null,
      state text not null default 'open' check (state in ('open', 'done', 'dropped')),
      created_at timestamptz not null,
      updated_at timestamptz not null,
      done_at timestamptz
    )`,
    sql`create index postmortem_actions_open_idx on postmortem_actions (due_date) where state = 'open'`,
    sql`create index postmortem_actions_incident_idx on postmortem_actions (incident_id, id)`,
  ]
  for (const statement of statements) await statement.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'postmortem_actions',
    'postmortems',
    'incident_checklist',
    'incident_policies',
    'incident_steps',
    'incident_alerts',
    'incident_events',
    'incidents',
  ])
    await sql`drop table ${sql.table(table)}`.execute(db)
}
