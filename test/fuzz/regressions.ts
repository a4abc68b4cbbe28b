/**
 * Requests the fuzzer found answered with a 5xx or without the error shape, each sent again
 * (as an admin, by API key) after every run with the answer it must get now.
 */
export interface Regression {
  bug: string
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'
  url: string
  payload?: unknown
  /** Sent with a string payload (JSON otherwise). */
  contentType?: string
  status: number
  /** The error code, for a refusal. */
  code?: string
  /** Text the error message must contain (the field at fault). */
  mentions?: string
}

const deep = (depth: number, leaf: string) => `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`

export const REGRESSIONS: Regression[] = [
  {
    bug: 'a leap second is RFC 3339 but an Invalid Date in JavaScript (500 from the query)',
    method: 'GET',
    url: '/api/security/events?until=2016-12-31T23%3A59%3A60Z',
    status: 400,
    code: 'VALIDATION_FAILED',
    mentions: 'until',
  },
  {
    bug: 'an offset without minutes (+05) is RFC 3339 but an Invalid Date in JavaScript',
    method: 'GET',
    url: '/api/maintenance/occurrences?from=2024-06-01T12%3A00%3A00%2B05',
    status: 400,
    code: 'VALIDATION_FAILED',
    mentions: 'from',
  },
  {
    bug: 'year 0000 passed validation and PostgreSQL refused the date (date/time field value out of range)',
    method: 'POST',
    url: '/api/orders',
    payload: { channel: 'NaN', placedAt: '0000-01-01T00:00:00Z', lines: [{ sku: '0', quantity: 1 }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    mentions: 'placedAt',
  },
  {
    bug: 'lines within their bounds can total more than numeric(14,2) holds (numeric field overflow)',
    method: 'POST',
    url: '/api/orders',
    payload: { channel: 'shopify-eu', lines: [{ sku: 'BASE-GABA', quantity: 834, unitPrice: 1e9 }] },
    status: 422,
    code: 'AMOUNT_TOO_LARGE',
  },
  {
    bug: 'a new deployment reported with only a finishedAt before now started now (finished_at >= started_at violated)',
    method: 'POST',
    url: '/api/deployments',
    payload: { version: '9.9.9-fuzz', finishedAt: new Date(Date.now() - 60_000).toISOString() },
    status: 201,
  },
  {
    bug: 'a NUL character in the query string reached PostgreSQL text',
    method: 'GET',
    url: '/api/products?q=nul%00byte',
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    bug: 'a NUL character in a query filter of the audit log reached PostgreSQL text',
    method: 'GET',
    url: '/api/audit-logs?targetType=nul%00byte',
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    bug: 'ajv-formats takes urn:uuid:… as a uuid; PostgreSQL does not (invalid input syntax for type uuid)',
    method: 'POST',
    url: '/api/api-keys/urn%3Auuid%3A123e4567-e89b-12d3-a456-426614174000/rotate',
    payload: {},
    status: 400,
    code: 'VALIDATION_FAILED',
    mentions: 'id',
  },
  {
    bug: "better-auth's bodiless 404 (an endpoint asked with the wrong method) had no error shape",
    method: 'GET',
    url: '/api/auth/sign-in/social',
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    bug: 'csv-parse names one of its errors INVALID_OPENING_QUOTE, without the CSV_ prefix the import looked for',
    method: 'POST',
    url: '/api/imports/orders?dryRun=false&batchSize=1',
    contentType: 'text/csv',
    payload: ' ",',
    status: 400,
    code: 'CSV_MALFORMED',
  },
  {
    bug: 'a lone surrogate escaped in JSON reached a jsonb column (invalid input syntax for type json)',
    method: 'POST',
    url: '/api/incidents',
    payload: '{"title":"!","severity":"P3","participants":["lone \\ud800 high surrogate"]}',
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    bug: 'a lone surrogate in an incident note reached the timeline (jsonb)',
    method: 'POST',
    url: '/api/incidents/1/notes',
    payload: '{"text":"lone \\ud800 high surrogate"}',
    status: 400,
    code: 'INVALID_CHARACTER',
  },
  {
    bug: 'a NUL 10,000 arrays deep overflowed the NUL check (answered as malformed JSON)',
    method: 'POST',
    url: '/api/api-keys',
    payload: `{"name":${deep(10_000, '"\\u0000"')},"role":"viewer"}`,
    status: 400,
    code: 'INVALID_CHARACTER',
  },
]
