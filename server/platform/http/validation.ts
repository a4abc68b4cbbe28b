import { Ajv, type Options } from 'ajv'
import addFormats from 'ajv-formats'
import { fullFormats } from 'ajv-formats/dist/formats.js'
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
  addAppFormats(ajv)
  return ajv
}

/**
 * ajv-formats' formats, narrowed where a value they accept would fail later (a 500 instead of
 * a 400): dates PostgreSQL or JavaScript cannot read, uuids PostgreSQL refuses.
 */
export function addAppFormats(ajv: Ajv): void {
  addFormats.default(ajv)
  ajv.addFormat('date-time', { type: 'string', validate: isReadableDateTime })
  ajv.addFormat('date', { type: 'string', validate: isStorableDate })
  // ajv-formats also takes `urn:uuid:…`, which PostgreSQL's uuid type refuses.
  ajv.addFormat('uuid', /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/i)
}

type Format = { validate: (value: string) => boolean }
const rfc3339 = { dateTime: fullFormats['date-time'] as Format, date: fullFormats.date as Format }
/** RFC 3339 allows year 0000; PostgreSQL's calendar has no year 0 and refuses it. */
const YEAR_ZERO = /^0000-/

/**
 * An RFC 3339 date-time that JavaScript can read and PostgreSQL can store. A leap second
 * (`23:59:60`) or an offset without minutes (`+05`) is RFC 3339, but `new Date()` makes it an
 * Invalid Date, which would fail deep in a handler or its query (a 500) instead of here (a 400).
 */
export function isReadableDateTime(value: string): boolean {
  return rfc3339.dateTime.validate(value) && !YEAR_ZERO.test(value) && !Number.isNaN(Date.parse(value))
}

/** An RFC 3339 full-date that PostgreSQL can store. */
export function isStorableDate(value: string): boolean {
  return rfc3339.date.validate(value) && !YEAR_ZERO.test(value)
}

export function installValidation(app: FastifyInstance): void {
  const bodies = compiler({ coerceTypes: false })
  const text = compiler({ coerceTypes: 'array' })
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : text).compile(schema as object),
  )

  // Fastify's own JSON parser (prototype poisoning refused), plus: no NUL character and no lone
  // surrogate (`"\ud800"`, valid JSON but not Unicode) in any string. PostgreSQL text cannot hold
  // a NUL and its json types refuse a lone surrogate, so either would fail deep inside a write.
  const parse = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) return done(error)
      if ((body as string).includes('\\u0000') && anyText(value, hasNul)) return done(nulRefused())
      if (SURROGATE_ESCAPE.test(body as string) && anyText(value, hasLoneSurrogate))
        return done(
          new AppError(
            400,
            'INVALID_CHARACTER',
            'Text may not contain a lone surrogate (\\ud800 to \\udfff)',
          ),
        )
      done(null, value)
    })
  })
  // NUL for the query string and path parameters too (`?name=%00`), before any handler's query.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.url.includes('%00') && (anyText(request.query, hasNul) || anyText(request.params, hasNul)))
      return done(nulRefused())
    done()
  })
}

const nulRefused = () =>
  new AppError(400, 'INVALID_CHARACTER', 'Text may not contain the NUL character (\\u0000)')

const hasNul = (text: string) => text.includes('\0')
/** A JSON escape of a UTF-16 surrogate: only then can a parsed string hold a lone one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const hasLoneSurrogate = (text: string) => LONE_SURROGATE.test(text)

/**
 * Whether any string in a parsed value (keys included) passes `test`. Walks with its own stack:
 * a body nested 10,000 levels deep must not exhaust the call stack.
 */
function anyText(value: unknown, test: (text: string) => boolean): boolean {
  const pending = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') {
      if (test(item)) return true
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element)
    } else if (item && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        if (test(key)) return true
        pending.push(element)
      }
    }
  }
  return false
}
