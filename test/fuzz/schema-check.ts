import { Ajv, type ValidateFunction } from 'ajv'
import { addAppFormats } from '../../server/platform/http/validation.ts'

/**
 * Whether a value satisfies a route schema, judged as the app judges it (`validation.ts`: bodies
 * strictly typed, query/params/headers coerced from text). The fuzzer uses it to keep generated
 * strings inside their field's constraints and to tell valid-shaped cases from the rest.
 */
export type Part = 'body' | 'text'

const base = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false } as const

function compiler(coerceTypes: false | 'array'): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes })
  addAppFormats(ajv)
  return ajv
}

const compilers: Record<Part, Ajv> = { body: compiler(false), text: compiler('array') }
const compiled: Record<Part, WeakMap<object, ValidateFunction>> = {
  body: new WeakMap(),
  text: new WeakMap(),
}

export function validator(schema: object, part: Part): (value: unknown) => boolean {
  let validate = compiled[part].get(schema)
  if (!validate) {
    validate = compilers[part].compile(schema)
    compiled[part].set(schema, validate)
  }
  const check = validate
  // Validation fills in defaults (and coerces text): judge a copy, never the case itself.
  return (value) => check(value === undefined ? value : structuredClone(value))
}
