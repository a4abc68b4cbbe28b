import { Type } from 'typebox'

/** A schema that also allows null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()])

/**
 * The body of an action that takes none: nothing, `null` or `{}`. Anything else is a 400, so a
 * malformed request never sets off the action (a backup, a drill).
 */
export const NoBody = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })])
