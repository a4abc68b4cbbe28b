import { type Kysely, type OperationNodeSource, sql } from 'kysely'
import type { Tables } from './schema.ts'

/**
 * Runs several writes as one SQL statement, each a data-modifying CTE: atomic without a
 * transaction, and one round trip instead of one per write. All of them see the database as it
 * was when the statement began, so no write may read another's effect, and no two may change
 * the same row. Foreign keys are checked at the end of the statement, so a row may refer to a
 * row that a sibling write inserts.
 */
export async function writeTogether(
  db: Kysely<Tables>,
  writes: readonly OperationNodeSource[],
): Promise<void> {
  if (writes.length === 0) return
  const ctes = writes.map((write, i) => sql`${sql.raw(`w${i}`)} as (${write})`)
  await sql`with ${sql.join(ctes)} select 1`.execute(db)
}
