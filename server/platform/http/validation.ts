import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import { AppError } from './errors.ts'

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

  // Fastify's own JSON parser (prototype poisoning refused), plus: no NUL character in any
  // string. PostgreSQL text cannot hold one, so it would fail deep inside a write instead.
  const parse = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) return done(error)
      if ((body as string).includes('\\u0000') && hasNul(value))
        return done(
          new AppError(400, 'INVALID_CHARACTER', 'Text may not contain the NUL character (\\u0000)'),
        )
      done(null, value)
    })
  })
}

function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0')
  if (Array.isArray(value)) return value.some(hasNul)
  if (value && typeof value === 'object')
    return Object.entries(value).some(([key, item]) => key.includes('\0') || hasNul(item))
  return false
}
