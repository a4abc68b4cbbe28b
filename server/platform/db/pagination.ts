/**
 * Keyset pagination over a descending id: fetch `limit + 1` rows, return `limit` of them and
 * the id to continue after when there were more.
 */
export function keysetPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit)
  return { items, nextCursor: rows.length > limit ? items.at(-1)!.id : null }
}
