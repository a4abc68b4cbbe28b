import { type Kysely, sql } from 'kysely'

/**
 * Invitations: an admin invites someone by email with a role; the person sets their own name and
 * password through a single-use link. Only a SHA-256 hash of the link's token is stored.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table invitations (
      id text primary key,
      email text not null,
      role text not null check (role in ('viewer', 'operator', 'manager', 'admin')),
      token_hash text not null unique,
      invited_by text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      accepted_at timestamptz,
      user_id text references users (id) on delete set null,
      revoked_at timestamptz
    )`.execute(db)
  // At most one open invitation per address: inviting again replaces the open one.
  await sql`
    create unique index invitations_open_email_uq on invitations (email)
    where accepted_at is null and revoked_at is null`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invitations').execute()
}
