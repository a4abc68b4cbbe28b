import fc from 'fast-check'
import { HOSTILE_STRINGS } from './payloads.ts'
import { validator } from './schema-check.ts'

/**
 * Values that satisfy a JSON Schema, as fast-check arbitraries, for the subset the route schemas
 * use: object (properties, required, additionalProperties, patternProperties, min/maxProperties),
 * string (min/maxLength, format, pattern, enum), integer/number (minimum, maximum, exclusive
 * bounds), boolean, null, array (items, min/maxItems), anyOf/oneOf, const, enum, type lists.
 *
 * Boundaries are favoured (the longest string allowed, the largest integer, odd but valid times),
 * and every hostile string that fits a field's constraints is offered for it, so SQL, markup and
 * odd unicode get past validation into handlers and queries.
 */
export type JsonSchema = Record<string, unknown>

const anyJson = fc.jsonValue({ maxDepth: 2 })

/** Schemas are shared (a GET and its HEAD, a type used by several routes): each is converted once. */
const converted = new WeakMap<object, fc.Arbitrary<unknown>>()

export function validValue(schema: unknown): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === null || schema === true) return anyJson
  let arbitrary = converted.get(schema as object)
  if (!arbitrary) {
    arbitrary = convert(schema as JsonSchema)
    converted.set(schema as object, arbitrary)
  }
  return arbitrary
}

function convert(s: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in s) return fc.constant(s.const)
  if (Array.isArray(s.enum) && s.enum.length > 0) return fc.constantFrom(...s.enum)
  const union = (s.anyOf ?? s.oneOf) as unknown[] | undefined
  if (Array.isArray(union) && union.length > 0) return fc.oneof(...union.map(validValue))
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((type) => validValue({ ...s, type })))
  switch (s.type) {
    case 'null':
      return fc.constant(null)
    case 'boolean':
      return fc.boolean()
    case 'integer':
      return integer(s)
    case 'number':
      return number(s)
    case 'string':
      return string(s)
    case 'array':
      return array(s)
    case 'object':
      return object(s)
    default:
      return s.properties ? object(s) : anyJson
  }
}

function bounds(s: JsonSchema, step: number): { min: number | undefined; max: number | undefined } {
  const min =
    typeof s.minimum === 'number'
      ? s.minimum
      : typeof s.exclusiveMinimum === 'number'
        ? s.exclusiveMinimum + step
        : undefined
  const max =
    typeof s.maximum === 'number'
      ? s.maximum
      : typeof s.exclusiveMaximum === 'number'
        ? s.exclusiveMaximum - step
        : undefined
  return { min, max }
}

/** Integers past 32 bits and JavaScript's safe range are valid wherever no maximum says otherwise. */
const BIG_INTEGERS = [2 ** 31 - 1, 2 ** 31, 2 ** 53 - 1, 1e21, 1e300]

function integer(s: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = bounds(s, 1)
  const lo = min === undefined ? -1_000_000 : Math.ceil(min)
  const hi = max === undefined ? lo + 2_000_000 : Math.floor(max)
  const edges = [lo, hi, 0, 1, -1, ...BIG_INTEGERS, ...BIG_INTEGERS.map((n) => -n)].filter(
    (n) => (min === undefined || n >= min) && (max === undefined || n <= max),
  )
  return fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: Math.max(lo, -(2 ** 31)), max: Math.min(hi, 2 ** 31 - 1) }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  )
}

function number(s: JsonSchema): fc.Arbitrary<number> {
  const { min, max } = bounds(s, 0)
  const minExcluded = typeof s.exclusiveMinimum === 'number'
  const maxExcluded = typeof s.exclusiveMaximum === 'number'
  const edges = [min, max, 0, 0.1, 1e-300, 1e300, -1e300]
    .filter((n): n is number => n !== undefined)
    .filter(
      (n) =>
        (min === undefined || n > min || (n === min && !minExcluded)) &&
        (max === undefined || n < max || (n === max && !maxExcluded)),
    )
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.double({ min, max, minExcluded, maxExcluded, noNaN: true, noDefaultInfinity: true }),
    },
    { weight: 1, arbitrary: fc.constantFrom(...(edges.length > 0 ? edges : [min ?? 0])) },
  )
}

const DAY = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString()

/** RFC 3339 date-times the `date-time` format accepts, the unusual spellings included. */
const dateTime = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -400, max: 400 }).map((days) => iso(Date.now() + days * DAY)) },
  {
    weight: 2,
    arbitrary: fc
      .date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '2016-12-31T23:59:60Z',
      '2024-02-29T12:00:00+14:00',
      '2024-06-01 12:00:00Z',
      '2024-06-01t12:00:00z',
      '2024-06-01T12:00:00.123456789Z',
      '2024-06-01T12:00:00+0530',
      '2024-06-01T12:00:00+05',
      '2024-06-01T12:00:00-23:59',
      '1970-01-01T00:00:00Z',
    ),
  },
)

const date = fc.oneof(
  { weight: 3, arbitrary: dateTime.map((t) => t.slice(0, 10)) },
  { weight: 1, arbitrary: fc.constantFrom('0000-01-01', '0001-01-01', '9999-12-31', '2024-02-29') },
)

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'date-time': dateTime,
  date,
  email: fc.oneof(
    fc.emailAddress(),
    fc.constantFrom("o'brien@example.com", 'a+b@example.com', 'a@b', `${'x'.repeat(64)}@example.com`),
  ),
  uuid: fc.oneof(
    { weight: 4, arbitrary: fc.uuid() },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
        'urn:uuid:123e4567-e89b-12d3-a456-426614174000',
      ),
    },
  ),
  uri: fc.oneof(
    fc.webUrl(),
    fc.constantFrom('javascript:alert(1)', 'http://127.0.0.1:1/', 'http://[::1]/', 'file:///etc/passwd'),
  ),
}

/** Any text, now and then well outside ASCII. */
const freeText = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
  )

function string(s: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0
  const maxLength = typeof s.maxLength === 'number' ? s.maxLength : undefined
  const check = validator(s, 'body')
  const base =
    typeof s.format === 'string' && FORMATS[s.format]
      ? FORMATS[s.format]!
      : typeof s.pattern === 'string'
        ? matching(s.pattern, minLength, maxLength)
        : freeText(Math.max(minLength, Math.min(maxLength ?? 40, 40)))
  const fitting = [...HOSTILE_STRINGS, ...longest(check)].filter(check)
  const arbitraries = [{ weight: 4, arbitrary: keepValid(base, check) }]
  if (fitting.length > 0) arbitraries.push({ weight: 2, arbitrary: fc.constantFrom(...fitting) })
  return fc.oneof(...arbitraries)
}

/**
 * The longest run of each of a few characters a string schema allows (up to 256): the edge of a
 * maxLength, or of a pattern such as `^[0-9]{1,19}$` (nineteen nines: more than a bigint holds).
 */
function longest(check: (value: unknown) => boolean): string[] {
  const found: string[] = []
  for (const char of ['9', '1', 'x', 'Z', 'A', '€', '🍸', '-', '.']) {
    for (let length = 256; length >= 1; length--) {
      if (!check(char.repeat(length))) continue
      found.push(char.repeat(length))
      break
    }
  }
  return found
}

/**
 * Strings matching `pattern`. A single character class repeated (`^[A-Za-z0-9_-]+$`) is built
 * to the length bounds, since a pattern alone rarely reaches a minLength of 16 or 43.
 */
function matching(pattern: string, minLength: number, maxLength: number | undefined): fc.Arbitrary<string> {
  const repeated = /^\^(\[(?:[^\]\\]|\\.)+\]|\\[wdS])[+*]\$$/.exec(pattern)
  if (!repeated) return fc.stringMatching(new RegExp(pattern, 'u'))
  const unit = fc.stringMatching(new RegExp(`^${repeated[1]}$`, 'u'))
  const longest = Math.min(maxLength ?? minLength + 40, minLength + 40)
  return fc.string({ unit, minLength: Math.max(minLength, 1), maxLength: Math.max(longest, 1) })
}

/**
 * `arbitrary` restricted to what `check` accepts. A filter that would reject most values (a
 * pattern whose strings are often too long) would spin, so then only the accepted ones of a
 * sample are offered; if none is accepted the values stay as they are (cases still happen, as
 * schema-violating ones).
 */
function keepValid<T>(arbitrary: fc.Arbitrary<T>, check: (value: unknown) => boolean): fc.Arbitrary<T> {
  const sample = fc.sample(arbitrary, { numRuns: 60, seed: 42 })
  const accepted = sample.filter(check)
  if (accepted.length >= sample.length / 4) return arbitrary.filter(check)
  if (accepted.length > 0) return fc.constantFrom(...accepted)
  return arbitrary
}

function array(s: JsonSchema): fc.Arbitrary<unknown[]> {
  const minLength = typeof s.minItems === 'number' ? s.minItems : 0
  const maxItems = typeof s.maxItems === 'number' ? s.maxItems : undefined
  const maxLength = Math.max(minLength, Math.min(maxItems ?? 4, 4))
  return fc.array(validValue(s.items), { minLength, maxLength })
}

function object(s: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (s.properties ?? {}) as Record<string, unknown>
  const required = ((s.required ?? []) as string[]).filter((key) => key in properties)
  const model = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, validValue(value)]))
  let result: fc.Arbitrary<Record<string, unknown>> = fc.record(model, { requiredKeys: required })
  const patterned = s.patternProperties as Record<string, unknown> | undefined
  const additional = s.additionalProperties
  const extraKeys =
    patterned && Object.keys(patterned).length > 0
      ? Object.entries(patterned).map(([pattern, value]) =>
          fc.dictionary(fc.stringMatching(new RegExp(pattern, 'u')), validValue(value), { maxKeys: 3 }),
        )
      : additional && typeof additional === 'object' && Object.keys(properties).length === 0
        ? [fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), validValue(additional), { maxKeys: 3 })]
        : []
  for (const extra of extraKeys)
    result = fc.tuple(result, extra).map(([known, more]) => ({ ...more, ...known }))
  const minProperties = typeof s.minProperties === 'number' ? s.minProperties : 0
  const maxProperties = typeof s.maxProperties === 'number' ? s.maxProperties : Number.POSITIVE_INFINITY
  if (minProperties > 0 || Number.isFinite(maxProperties))
    result = result.filter((value) => {
      const count = Object.keys(value).length
      return count >= minProperties && count <= maxProperties
    })
  return result
}
