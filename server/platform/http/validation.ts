import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'

/**
 * Request validation: query strings, params and headers arrive as text, so they are coerced
 * ("5" → 5, a single value → an array); bodies are JSON and must have the declared types
 * exactly (`{"name": 42}` is refused, not turned into "42").
 */
const base: Options = { allErrors: false, removeAdditional: false, useDefaults: true, strict: false }

function compiler(options: Options): Ajv {
  const ajv = new Ajv({ ...base, ...options })
  addFormats.default(ajv)
  return ajv
}

export function installValidation(app: FastifyInstance): void {
  const bodies = compiler({ coerceTypes: false })
  const text = compiler({ coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : text).compile(schema as object),
  )
}
