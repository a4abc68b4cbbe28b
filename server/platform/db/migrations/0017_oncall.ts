import { type Kysely, sql } from 'kysely'

/**
 * On-call: the contacts directory (people and vendor support), the runbook's escalation roles,
 * schedules in an IANA time zone, one rotation per schedule and tier (participants in order,
 * handoff at a local time every N days from a local start date) and overrides.
 *
 * A contact still named by a role or a rotation cannot be deleted (restrict); its overrides go
 * with it (the service refuses while one is active or upcoming).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    sql`create table oncall_contacts (
      id uuid primary key,
      name text not null,
      kind text not null check (kind in ('person', 'vendor')),
      email text,
      slack text,
      webhook_url text,
      phone text,
      organisation text,
      notes text,
      user_id text references users (id) on delete set null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create index oncall_contacts_name_idx on oncall_contacts (kind, name)`,
    sql`create table oncall_roles (
      role text primary key check (role in ('engineering_lead', 'vp_engineering', 'cto', 'ceo')),
      contact_id uuid not null references oncall_contacts (id) on delete restrict,
      updated_at timestamptz not null default now(),
      updated_by text
    )`,
    sql`create index oncall_roles_contact_idx on oncall_roles (contact_id)`,
    sql`create table oncall_schedules (
      id uuid primary key,
      name text not null,
      timezone text not null,
      is_default boolean not null default false,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`,
    sql`create unique index oncall_schedules_name_uq on oncall_schedules (lower(name))`,
    // At most one default schedule.
    sql`create unique index oncall_schedules_default_uq on oncall_schedules (is_default) where is_default`,
    sql`create table oncall_rotations (
      id uuid primary key,
      schedule_id uuid not null references oncall_schedules (id) on delete cascade,
      tier text not null check (tier in ('primary', 'secondary')),
      shift_days integer not null check (shift_days between 1 and 365),
      handoff_time text not null check (handoff_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
      start_date date not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (schedule_id, tier)
    )`,
    sql`create table oncall_rotation_members (
      rotation_id uuid not null references oncall_rotations (id) on delete cascade,
      position integer not null check (position >= 0),
      contact_id uuid not null references oncall_contacts (id) on delete restrict,
      primary key (rotation_id, position)
    )`,
    sql`create index oncall_rotation_members_contact_idx on oncall_rotation_members (contact_id)`,
    sql`create table oncall_overrides (
      id uuid primary key,
      seq bigserial not null unique,
      schedule_id uuid not null references oncall_schedules (id) on delete cascade,
      tier text not null check (tier in ('primary', 'secondary')),
      contact_id uuid not null references oncall_contacts (id) on delete cascade,
      starts_at timestamptz not null,
      ends_at timestamptz not null,
      reason text,
      created_at timestamptz not null default now(),
      created_by text,
      check (ends_at > starts_at)
    )`,
    sql`create index oncall_overrides_schedule_idx on oncall_overrides (schedule_id, ends_at)`,
    sql`create index oncall_overrides_contact_idx on oncall_overrides (contact_id)`,
  ]
  for (const statement of statements) await statement.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'oncall_overrides',
    'oncall_rotation_members',
    'oncall_rotations',
    'oncall_schedules',
    'oncall_roles',
    'oncall_contacts',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
