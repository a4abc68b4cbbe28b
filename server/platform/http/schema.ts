import { Type } from 'typebox'

/** A schema that also allows null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

/**
 * The body of an action that takes none: nothing, `null` or `{}`. Anything else is a 400, so a
 * malformed request never sets off the action (a backup, a drill).
 */
export const NoBody = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })])

/**
 * A bigint id (an identity column) as the API and the CLI take it: at most 18 digits, so that
 * every such number fits a bigint (19 nines do not, and would fail the query instead).
 */
export const BIGINT_ID = /^[0-9]{1,18}$/

/** The schema of a bigint id in a path, query or body. */
export const BigintId = (options: { description?: string } = {}) =>
  Type.String({ pattern: BIGINT_ID.source, ...options })
