/**
 * Keyset pagination: the caller fetched `limit + 1` rows in key order; the first `limit` are the
 * page (presented), and when there were more, `cursorAfter` of its last row is where the next
 * page starts.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  present: (row: R) => T,
  cursorAfter: (last: R) => string,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  return { items: page.map(present), nextCursor: rows.length > limit ? cursorAfter(page.at(-1)!) : null }
}

/** Keyset pagination over a descending id: the page as stored, continued after its last id. */
export function keysetPage<T extends { id: string }>(
  rows: T[],
  limit: number,
): { items: T[]; nextCursor: string | null } {
  return pageOf(
    rows,
    limit,
    (row) => row,
    (last) => last.id,
  )
}
