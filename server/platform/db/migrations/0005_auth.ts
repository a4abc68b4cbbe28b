import { type Kysely, sql } from 'kysely'

/**
 * People and their sessions, in the shape better-auth expects (names mapped to snake_case in
 * server/modules/auth/auth.ts), plus the app's own columns: role, disabled, demo and lockout.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table users (
      id text primary key,
      name text not null,
      email text not null unique,
      email_verified boolean not null default false,
      image text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      two_factor_enabled boolean not null default false,
      role text not null default 'viewer' check (role in ('viewer', 'operator', 'manager', 'admin')),
      disabled boolean not null default false,
      demo boolean not null default false,
      failed_sign_ins integer not null default 0,
      first_failed_at timestamptz,
      locked_until timestamptz
    )`.execute(db)
  await sql`
    create table sessions (
      id text primary key,
      user_id text not null references users (id) on delete cascade,
      token text not null unique,
      expires_at timestamptz not null,
      ip_address text,
      user_agent text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index sessions_user_id_idx on sessions (user_id)`.execute(db)
  await sql`create index sessions_expires_at_idx on sessions (expires_at)`.execute(db)
  await sql`
    create table accounts (
      id text primary key,
      user_id text not null references users (id) on delete cascade,
      account_id text not null,
      provider_id text not null,
      access_token text,
      refresh_token text,
      id_token text,
      access_token_expires_at timestamptz,
      refresh_token_expires_at timestamptz,
      scope text,
      password text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index accounts_user_id_idx on accounts (user_id)`.execute(db)
  await sql`create unique index accounts_provider_account_uq on accounts (provider_id, account_id)`.execute(
    db,
  )
  await sql`
    create table verifications (
      id text primary key,
      identifier text not null,
      value text not null,
      expires_at timestamptz not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db)
  await sql`create index verifications_identifier_idx on verifications (identifier)`.execute(db)
  await sql`
    create table two_factors (
      id text primary key,
      user_id text not null references users (id) on delete cascade,
      secret text not null,
      backup_codes text not null,
      verified boolean not null default true,
      failed_verification_count integer not null default 0,
      locked_until timestamptz
    )`.execute(db)
  await sql`create index two_factors_user_id_idx on two_factors (user_id)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['two_factors', 'verifications', 'accounts', 'sessions', 'users']) {
    await db.schema.dropTable(table).execute()
  }
}
