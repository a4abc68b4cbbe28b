import { FileError } from './file-error.ts'
import type { Importer, RowError } from './types.ts'

/**
 * Checks the header row (names already trimmed and lower-cased) and returns each column's
 * position. Every problem is reported at once, in row 1: a missing required column, an unknown
 * or repeated one (an unknown column is refused rather than ignored, so a misspelt optional
 * column cannot silently drop its data).
 */
export function checkHeader(
  importer: Importer,
  names: readonly string[],
  state: unknown,
): Map<string, number> {
  const errors: RowError[] = []
  const columns = new Map<string, number>()
  const known = new Set([...importer.required, ...importer.optional])
  names.forEach((name, index) => {
    if (columns.has(name)) {
      errors.push({ row: 1, column: name, message: `Column ${name} appears twice` })
      return
    }
    columns.set(name, index)
    if (known.has(name)) return
    const refusal = importer.extraColumn
      ? importer.extraColumn(name, state)
      : `Unknown column ${name || '(empty)'}`
    if (refusal) errors.push({ row: 1, column: name, message: refusal })
  })
  for (const name of importer.required)
    if (!columns.has(name)) errors.push({ row: 1, column: name, message: `Missing required column ${name}` })
  if (errors.length > 0) {
    const expected = `${importer.type} files have the columns ${importer.required.join(', ')} and optionally ${importer.optional.join(', ')}`
    throw new FileError(422, 'CSV_COLUMNS', `${errors.map((e) => e.message).join('; ')}. ${expected}`, errors)
  }
  return columns
}
