import fc from 'fast-check'
import {
  BAD_AUTHORIZATION,
  BAD_COOKIES,
  BAD_REQUEST_IDS,
  HOSTILE_PATH_PARAMS,
  HOSTILE_QUERIES,
  HOSTILE_STRINGS,
  HUGE_STRINGS,
  WRONG_VALUES,
} from './payloads.ts'
import { type JsonSchema, validValue } from './schema-arbitrary.ts'
import { validator } from './schema-check.ts'

/**
 * One fuzz case for a route: who calls, and each part of the request (path parameters, query,
 * body, headers), either built from the route's schema or deliberately outside it. Each part is
 * valid about four times in five, so about half the cases are valid-shaped as a whole and reach
 * the handler, and the rest try one or more ways of being wrong.
 */
export interface RouteInfo {
  method: string
  url: string
  access: unknown
  schema: { params?: JsonSchema; querystring?: JsonSchema; body?: JsonSchema; headers?: JsonSchema }
  /** `METHOD /url`, the name the route is reported under. */
  key: string
}

export const AUTH_MODES = [
  'admin-key',
  'admin-session',
  'viewer-key',
  'none',
  'bad-bearer',
  'bad-cookie',
  'cross-site',
  'key-and-session',
] as const
export type AuthMode = (typeof AUTH_MODES)[number]

export interface FuzzCase {
  auth: { mode: AuthMode; pick: number }
  path: { values: Record<string, string>; known: Record<string, number>; label: string }
  query: { text: string; label: string }
  body: {
    contentType?: string
    payload?: string | Buffer
    /** The JSON value of the payload, when it is one. */
    value?: unknown
    /** Fill fields named like values earlier answers returned (a sku, a channel code) with them. */
    known?: number
    label: string
    refused: boolean
  }
  headers: { values: Record<string, string>; label: string }
}

/** What a route's schema cannot say: see `hints.ts`. */
export interface RequestHints {
  /** Values of a `*` parameter worth trying besides random paths. */
  wildcard?: string[]
  /** The body a route reads itself, described as a schema (better-auth's endpoints). */
  body?: JsonSchema
  /** Keep every case's body one the schema refuses (routes with heavy side effects). */
  refusedBodiesOnly?: boolean
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** A URL can only carry UTF-8: a lone surrogate goes as U+FFFD, as a browser would send it. */
export function encode(value: string): string {
  return encodeURIComponent(
    value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
  )
}

export function caseArbitrary(route: RouteInfo, hints: RequestHints = {}): fc.Arbitrary<FuzzCase> {
  const bodySchema = route.schema.body ?? hints.body
  let body = bodyArbitrary(route, bodySchema)
  // Nothing is filled in either, so a refused body stays refused.
  if (hints.refusedBodiesOnly)
    body = body.map((part) => (part.refused ? { ...part, known: undefined } : refusedBody(bodySchema)))
  return fc.record({
    auth: fc.record({
      // Mostly a valid admin, so validation and handlers behind the guard are reached; mostly by
      // key, as a session costs several queries per request.
      mode: fc.oneof(
        { weight: 12, arbitrary: fc.constant<AuthMode>('admin-key') },
        { weight: 3, arbitrary: fc.constant<AuthMode>('admin-session') },
        { weight: 5, arbitrary: fc.constantFrom(...AUTH_MODES) },
      ),
      pick: fc.nat(1000),
    }),
    path: pathArbitrary(route, hints),
    query: queryArbitrary(route.schema.querystring),
    body,
    headers: headersArbitrary(route.schema.headers),
  })
}

/** The part is valid four times in five. */
function mostlyValid<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: hostile })
}

const VALID = 'valid'

/** What HTTP can carry in a header: bytes, read as latin1, without NUL, CR or LF. */
export function headerSafe(value: string): string {
  return Buffer.from(value, 'utf8')
    .toString('latin1')
    .replace(/[\0\r\n]/g, '')
}

// ---------- path ----------

function paramNames(url: string): string[] {
  const names = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!)
  return url.endsWith('*') ? [...names, '*'] : names
}

function pathArbitrary(route: RouteInfo, hints: RequestHints): fc.Arbitrary<FuzzCase['path']> {
  const names = paramNames(route.url)
  if (names.length === 0) return fc.constant({ values: {}, known: {}, label: VALID })
  const properties = (route.schema.params?.properties ?? {}) as Record<string, unknown>
  const validOne = (name: string): fc.Arbitrary<string> =>
    name === '*'
      ? wildcardValue(hints.wildcard ?? [])
      : validValue(properties[name] ?? { type: 'string', minLength: 1, maxLength: 40 }).map((v) =>
          encode(String(v)),
        )
  const valid = fc.record({
    values: fc.record(Object.fromEntries(names.map((name) => [name, validOne(name)]))),
    // Now and then a value an earlier answer returned (an id that exists), when there is one.
    known: fc.record(Object.fromEntries(names.map((name) => [name, fc.nat()])), { requiredKeys: [] }),
    label: fc.constant(VALID),
  })
  const hostile = fc.tuple(valid, fc.constantFrom(...names), hostilePathValue).map(([base, name, value]) => ({
    values: { ...base.values, [name]: value },
    known: {},
    label: 'path:hostile',
  }))
  return mostlyValid(valid, hostile)
}

const hostilePathValue = fc.oneof(
  fc.constantFrom(...HOSTILE_PATH_PARAMS),
  fc.constantFrom(...HOSTILE_STRINGS).map(encode),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encode),
)

function wildcardValue(known: string[]): fc.Arbitrary<string> {
  const segments = fc
    .array(fc.string({ minLength: 1, maxLength: 12 }).map(encode), { minLength: 0, maxLength: 4 })
    .map((parts) => parts.join('/'))
  return known.length > 0
    ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: segments })
    : segments
}

// ---------- query ----------

function serializeQuery(value: unknown): string {
  if (!value || typeof value !== 'object') return ''
  const params = new URLSearchParams()
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    for (const one of Array.isArray(item) ? item : [item])
      params.append(key, typeof one === 'object' && one !== null ? JSON.stringify(one) : String(one))
  }
  return params.toString()
}

function queryArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<FuzzCase['query']> {
  const validObject = schema ? validValue(schema) : fc.constant({})
  const valid = validObject.map((value) => ({ text: serializeQuery(value), label: VALID }))
  const keys = Object.keys((schema?.properties ?? {}) as object)
  const oddValue = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS, ...HUGE_STRINGS.slice(0, 1)),
    fc.constantFrom(...WRONG_VALUES).map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 20 }),
  )
  const hostile = fc.oneof(
    fc.constantFrom(...HOSTILE_QUERIES).map((text) => ({ text, label: 'query:raw' })),
    fc
      .tuple(validObject, fc.constantFrom(...(keys.length > 0 ? keys : ['x'])), oddValue)
      .map(([value, key, odd]) => ({
        text: serializeQuery({ ...(value as object), [key]: odd }),
        label: 'query:wrong-value',
      })),
    fc
      .tuple(validObject, fc.constantFrom('extra', '__proto__', 'constructor', 'limit[]', 'a.b'), oddValue)
      .map(([value, key, odd]) => ({
        text: serializeQuery({ ...(value as object), [key]: odd }),
        label: 'query:extra-field',
      })),
  )
  return mostlyValid(valid, hostile)
}

// ---------- body ----------

type Body = FuzzCase['body']

const JSON_TYPE = 'application/json'

function jsonBody(value: unknown, label: string): Body {
  return { contentType: JSON_TYPE, payload: JSON.stringify(value), value, label, refused: true }
}

/**
 * Whether the route's validation refuses a body: anything but JSON, JSON that does not parse,
 * or a value the schema does not take. Erring towards "taken" (a `__proto__` key the parser
 * refuses counts as taken), as it only decides which bodies routes with side effects may get.
 */
function isRefused(body: Body, check: (value: unknown) => boolean): boolean {
  if (body.payload === undefined) return body.contentType !== undefined && !check(undefined)
  if (!/^application\/json\s*(;|$)/i.test(body.contentType ?? '')) return true
  try {
    return !check(JSON.parse(String(body.payload).replace(/^\ufeff/, '')))
  } catch {
    return true
  }
}

/** Deeply nested JSON; the leaf may hold a NUL or a prototype key, which some parsers walk again. */
const deepJson = fc
  .record({
    depth: fc.constantFrom(64, 1000, 10_000, 100_000),
    open: fc.constantFrom('[', '{"a":'),
    leaf: fc.constantFrom('1', '"\\u0000"', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}'),
  })
  .map(({ depth, open, leaf }) => `${open.repeat(depth)}${leaf}${(open === '[' ? ']' : '}').repeat(depth)}`)

const MALFORMED_JSON = [
  '{"unterminated": ',
  '{',
  '[1,',
  '\u0000',
  '{"a":1}trailing',
  "{'single':'quotes'}",
  '{"a":NaN}',
  '\ufeff{}',
  '{"a":1,"a":2}',
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"admin":true}}}',
  '"\\ud800"',
  '1e999999',
]

const OTHER_TYPES: Array<[string, string]> = [
  ['text/plain', '{"a":1}'],
  [
    'application/xml',
    '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  ],
  ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
  ['application/x-www-form-urlencoded', 'a=b&c=%ZZ'],
  ['text/csv', 'a,b\n1,2\n'],
  ['application/json; charset=utf-16', '{"a":1}'],
  ['application/json; charset=utf-8; boundary=x', '{}'],
  ['application/octet-stream', '\u00ff\u00fe'],
  ['', '{"a":1}'],
  ['*/*', '{}'],
  ['application/vnd.api+json', '{}'],
]

function bodyArbitrary(route: RouteInfo, schema: JsonSchema | undefined): fc.Arbitrary<Body> {
  const check = schema ? validator(schema, 'body') : () => true
  const validObject = schema ? validValue(schema) : fc.constant(undefined)
  let valid: fc.Arbitrary<Body>
  if (schema) valid = validObject.map((value) => jsonBody(value, VALID))
  else if (WRITES.has(route.method))
    // No body schema: the route takes no body, or reads its own (a CSV upload).
    valid = fc.oneof(
      fc.constant<Body>({ label: VALID, refused: false }),
      fc.constant<Body>({ contentType: JSON_TYPE, payload: '{}', label: VALID, refused: false }),
      fc
        .array(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 5 }), { maxLength: 6 })
        .map((rows) => ({
          contentType: 'text/csv',
          payload: rows.map((row) => row.join(',')).join('\n'),
          label: VALID,
          refused: false,
        })),
    )
  else valid = fc.constant<Body>({ label: VALID, refused: false })

  const properties = Object.keys((schema?.properties ?? {}) as object)
  const required = (schema?.required ?? []) as string[]
  const field = fc.constantFrom(...(properties.length > 0 ? properties : ['name']))
  const oddField = fc.oneof(
    fc.constantFrom(...WRONG_VALUES),
    fc.constantFrom(...HOSTILE_STRINGS),
    fc.constantFrom(...HUGE_STRINGS),
  )
  const asObject = (value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  const hostile = fc.oneof(
    fc
      .tuple(validObject, field, oddField)
      .map(([value, key, odd]) => jsonBody({ ...asObject(value), [key]: odd }, 'body:wrong-value')),
    fc
      .tuple(validObject, fc.constantFrom(...(required.length > 0 ? required : ['name'])))
      .map(([value, key]) => {
        const { [key]: _dropped, ...rest } = asObject(value)
        return jsonBody(rest, 'body:missing-field')
      }),
    fc
      .tuple(validObject, fc.constantFrom('extra', 'id', 'role', 'isAdmin', '$where'), oddField)
      .map(([value, key, odd]) => jsonBody({ ...asObject(value), [key]: odd }, 'body:extra-field')),
    fc.constantFrom(...WRONG_VALUES, 'text').map((value) => jsonBody(value, 'body:wrong-type')),
    fc.tuple(field, deepJson).map(([key, deep]) => ({
      contentType: JSON_TYPE,
      payload: `{"${key}":${deep}}`,
      label: 'body:deep',
      refused: true,
    })),
    deepJson.map((payload) => ({ contentType: JSON_TYPE, payload, label: 'body:deep', refused: true })),
    fc.constantFrom(...MALFORMED_JSON).map((payload) => ({
      contentType: JSON_TYPE,
      payload,
      label: 'body:malformed',
      refused: true,
    })),
    fc.constantFrom(...OTHER_TYPES).map(([contentType, payload]) => ({
      contentType: contentType || undefined,
      payload,
      label: 'body:content-type',
      refused: true,
    })),
    fc.constant<Body>({ contentType: JSON_TYPE, payload: '', label: 'body:empty', refused: true }),
    fc.constant<Body>({
      contentType: JSON_TYPE,
      payload: `{"a":"${'y'.repeat(2 * 1024 * 1024)}"}`,
      label: 'body:too-large',
      refused: true,
    }),
    fc.constant<Body>({
      contentType: JSON_TYPE,
      payload: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]),
      label: 'body:bad-utf8',
      refused: true,
    }),
  )
  return fc
    .tuple(mostlyValid(valid, hostile), fc.option(fc.nat(), { nil: undefined }))
    .map(([body, known]) => ({ ...body, known, refused: isRefused(body, check) }))
}

/** A body the schema refuses, for routes whose valid bodies would set off heavy work. */
function refusedBody(schema: JsonSchema | undefined): Body {
  const check = schema ? validator(schema, 'body') : () => false
  for (const value of [42, 'text', [], true, { unexpected: 1 }]) {
    if (!check(value)) return jsonBody(value, 'body:wrong-type')
  }
  return { contentType: JSON_TYPE, payload: '{', label: 'body:malformed', refused: true }
}

// ---------- headers ----------

function headersArbitrary(schema: JsonSchema | undefined): fc.Arbitrary<FuzzCase['headers']> {
  const declared = schema ? validValue(schema) : fc.constant({})
  const asHeaders = (value: unknown) =>
    Object.fromEntries(
      Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, headerSafe(String(v))]),
    )
  const valid = declared.map((value) => ({ values: asHeaders(value), label: VALID }))
  const names = Object.keys((schema?.properties ?? {}) as object)
  const odd = fc.oneof(
    fc.constantFrom(...HOSTILE_STRINGS, ...HUGE_STRINGS.slice(0, 2)),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )
  const hostile = fc
    .oneof(
      fc.constantFrom(...BAD_REQUEST_IDS).map((id) => ({ 'x-request-id': id })),
      odd.map((value) => ({ 'x-fuzz': value })),
      odd.map((value) => ({ 'user-agent': value })),
      fc
        .constantFrom('application/xml', '*/*;q=abc', 'text/html', 'x'.repeat(10_000))
        .map((accept) => ({ accept })),
      fc.constantFrom('gzip;q=2', 'br, zstd, x'.repeat(1000)).map((v) => ({ 'accept-encoding': v })),
      fc.constantFrom('garbage', '::1, 10.0.0.1, not-an-ip', '1.2.3.4'.repeat(500)).map((v) => ({
        'x-forwarded-for': v,
      })),
      fc.constantFrom('short', "' OR 1=1 --", 'x'.repeat(300), 'ok-key-12345678').map((v) => ({
        'idempotency-key': v,
      })),
      fc
        .constantFrom('bytes=0-1', 'bytes=999999999-', 'bytes=abc', 'bytes=-1,-2,-3')
        .map((range) => ({ range })),
      fc.constantFrom('W/"x"', '*', 'x'.repeat(5000)).map((v) => ({ 'if-none-match': v })),
      odd.map((v) => ({ 'last-event-id': v })),
      ...(names.length > 0
        ? [
            fc.tuple(declared, fc.constantFrom(...names), odd).map(([value, name, v]) => ({
              ...(value as object),
              [name]: v,
            })),
            fc.tuple(declared, fc.constantFrom(...names)).map(([value, name]) => {
              const { [name]: _dropped, ...rest } = value as Record<string, unknown>
              return rest
            }),
          ]
        : []),
    )
    .map((value) => ({ values: asHeaders(value), label: 'headers:hostile' }))
  return mostlyValid(valid, hostile)
}

/** Labels of the parts that are not valid; `valid` when none. */
export function caseLabel(c: FuzzCase): string {
  const parts = [c.path.label, c.query.label, c.body.label, c.headers.label].filter((l) => l !== VALID)
  return parts.length > 0 ? parts.join('+') : VALID
}

export const BAD_CREDENTIALS = { authorization: BAD_AUTHORIZATION, cookie: BAD_COOKIES }
