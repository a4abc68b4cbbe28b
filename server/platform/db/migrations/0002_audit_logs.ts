import { type Kysely, sql } from 'kysely'

/**
 * The append-only audit log, queryable with the runbook's SQL. A trigger rejects UPDATE,
 * TRUNCATE and DELETE, except deletion of rows older than the retention period inside a
 * transaction that has set `sentia.audit_retention_days` (only the retention job does).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_logs')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor_type', 'text', (col) =>
      col.notNull().check(sql`actor_type in ('user', 'apikey', 'system')`),
    )
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('target_type', 'text')
    .addColumn('target_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .addColumn('old_values', 'jsonb')
    .addColumn('new_values', 'jsonb')
    .execute()
  await db.schema.createIndex('audit_logs_created_at_idx').on('audit_logs').column('created_at').execute()
  await db.schema
    .createIndex('audit_logs_action_created_at_idx')
    .on('audit_logs')
    .columns(['action', 'created_at'])
    .execute()
  await db.schema
    .createIndex('audit_logs_actor_idx')
    .on('audit_logs')
    .columns(['actor_type', 'actor_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('audit_logs_target_idx')
    .on('audit_logs')
    .columns(['target_type', 'target_id', 'created_at'])
    .execute()

  await sql`
    create function audit_logs_append_only() returns trigger language plpgsql as $$
    declare
      retention_days integer := nullif(current_setting('sentia.audit_retention_days', true), '')::integer;
    begin
      if tg_op = 'DELETE' and retention_days is not null
         and old.created_at < now() - make_interval(days => retention_days) then
        return old;
      end if;
      raise exception 'audit_logs is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
    end;
    $$`.execute(db)
  await sql`
    create trigger audit_logs_append_only before update or delete on audit_logs
    for each row execute function audit_logs_append_only()`.execute(db)
  await sql`
    create trigger audit_logs_no_truncate before truncate on audit_logs
    for each statement execute function audit_logs_append_only()`.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_logs').execute()
  await sql`drop function audit_logs_append_only()`.execute(db)
}
