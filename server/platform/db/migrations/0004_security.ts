import { type Kysely, sql } from 'kysely'

/** Security events (failed sign-ins, 401/403, blocked requests, attack patterns) and the IP blocklist. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('security_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('ip', 'text')
    .addColumn('method', 'text')
    .addColumn('route', 'text')
    .addColumn('url', 'text')
    .addColumn('pattern', 'text')
    .addColumn('sample', 'text')
    .addColumn('request_id', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('subject', 'text')
    .execute()
  await db.schema
    .createIndex('security_events_created_at_idx')
    .on('security_events')
    .column('created_at')
    .execute()
  await db.schema
    .createIndex('security_events_kind_ip_idx')
    .on('security_events')
    .columns(['kind', 'ip', 'created_at'])
    .execute()

  await db.schema
    .createTable('ip_blocks')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('cidr', sql`cidr`, (col) => col.notNull())
    .addColumn('reason', 'text')
    .addColumn('source', 'text', (col) => col.notNull().check(sql`source in ('manual', 'automatic')`))
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .addColumn('removed_by', 'text')
    .execute()
  await db.schema
    .createIndex('ip_blocks_active_idx')
    .on('ip_blocks')
    .columns(['removed_at', 'expires_at'])
    .execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('ip_blocks').execute()
  await db.schema.dropTable('security_events').execute()
}
