import { type Kysely, sql } from 'kysely'

// App-owned schema for better-auth 1.7 (snake_case, plural table names).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id                 text PRIMARY KEY,
      name               text NOT NULL,
      email              text NOT NULL UNIQUE,
      email_verified     boolean NOT NULL DEFAULT false,
      image              text,
      created_at         timestamptz NOT NULL DEFAULT now(),
      updated_at         timestamptz NOT NULL DEFAULT now(),
      two_factor_enabled boolean NOT NULL DEFAULT false,
      role               text NOT NULL DEFAULT 'viewer',
      disabled           boolean NOT NULL DEFAULT false,
      failed_sign_ins    integer NOT NULL DEFAULT 0   -- app-owned, not known to better-auth
    )`.execute(db)
  await sql`
    CREATE TABLE sessions (
      id          text PRIMARY KEY,
      user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token       text NOT NULL UNIQUE,
      expires_at  timestamptz NOT NULL,
      ip_address  text,
      user_agent  text,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`CREATE INDEX sessions_user_id_idx ON sessions (user_id)`.execute(db)
  await sql`
    CREATE TABLE accounts (
      id                       text PRIMARY KEY,
      user_id                  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      account_id               text NOT NULL,
      provider_id              text NOT NULL,
      access_token             text,
      refresh_token            text,
      id_token                 text,
      access_token_expires_at  timestamptz,
      refresh_token_expires_at timestamptz,
      scope                    text,
      password                 text,
      created_at               timestamptz NOT NULL DEFAULT now(),
      updated_at               timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`CREATE INDEX accounts_user_id_idx ON accounts (user_id)`.execute(db)
  await sql`CREATE UNIQUE INDEX accounts_provider_account_uq ON accounts (provider_id, account_id)`.execute(db)
  await sql`
    CREATE TABLE verifications (
      id          text PRIMARY KEY,
      identifier  text NOT NULL,
      value       text NOT NULL,
      expires_at  timestamptz NOT NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`.execute(db)
  await sql`CREATE INDEX verifications_identifier_idx ON verifications (identifier)`.execute(db)
  await sql`
    CREATE TABLE two_factors (
      id                        text PRIMARY KEY,
      user_id                   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      secret                    text NOT NULL,
      backup_codes              text NOT NULL,
      verified                  boolean NOT NULL DEFAULT true,
      failed_verification_count integer NOT NULL DEFAULT 0,
      locked_until              timestamptz
    )`.execute(db)
  await sql`CREATE INDEX two_factors_user_id_idx ON two_factors (user_id)`.execute(db)
  await sql`CREATE INDEX two_factors_secret_idx ON two_factors (secret)`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['two_factors', 'verifications', 'accounts', 'sessions', 'users']) {
    await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db)
  }
}
