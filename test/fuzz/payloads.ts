/**
 * Values an attacker or a broken client sends. Strings are tried both inside schemas (wherever a
 * field's constraints allow them, so they reach handlers and SQL) and outside them.
 */

export const INJECTION = [
  "' OR 1=1 --",
  "'; DROP TABLE orders; --",
  '" OR ""="',
  "1' UNION SELECT null, version() --",
  "admin'--",
  "\\'; SELECT pg_sleep(0); --",
  '$$; DROP TABLE orders; $$',
  "%' AND 1=1 AND '%'='",
  '{"$ne": null}',
]

export const MARKUP = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '<svg/onload=alert(1)>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, literally
  '{{7*7}}${7*7}<%= 7*7 %>',
]

export const TRAVERSAL = [
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  'file:///etc/passwd',
  '....//....//etc/passwd',
  '; cat /etc/passwd',
  '$(id)',
]

export const ODD_UNICODE = [
  'nul\u0000byte',
  'lone \ud800 high surrogate',
  'lone \udfff low surrogate',
  'rtl \u202e\u2067 override',
  'zero\u200b\u200c\u200d\ufeffwidth',
  'line\u2028\u2029separators',
  'emoji 🍸🏭👩‍👩‍👧',
  'e\u0301\u0301 combining',
  'ＦＵＬＬＷＩＤＴＨ',
  'İıß ǅ',
  '\u0085\u00a0\u3000',
  '\t\r\n',
  '\u007f\u001b[31m',
  ' ',
  '',
]

export const ODD_TEXT = [
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '9'.repeat(40),
  '0x1f',
  '-1',
  '٣',
  'null',
  'true',
  '0000-01-01T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '2023-12-31T23:59:60Z',
]

/** Every short hostile string; the fuzzer's own input, so echoes of it are not leaks. */
export const HOSTILE_STRINGS = [...INJECTION, ...MARKUP, ...TRAVERSAL, ...ODD_UNICODE, ...ODD_TEXT]

/** Strings far longer than any field allows (100 kB and more in UTF-8). */
export const HUGE_STRINGS = [
  'x'.repeat(100_000),
  '€'.repeat(40_000),
  '🍸'.repeat(30_000),
  "' OR 1=1 -- ".repeat(9000),
]

/** JSON values of the wrong type for most fields. */
export const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  [],
  [null],
  ['a', 1],
  {},
  { nested: { deep: [1] } },
  { $gt: '' },
]

/** Path parameter values as they appear in a URL (already escaped, or deliberately not). */
export const HOSTILE_PATH_PARAMS = [
  '..',
  '../..',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  'a%00b',
  '%ZZ',
  '%',
  '%E2%80%AE',
  '%ED%A0%80',
  '%F0%9F%8D%B8',
  '%C0%AE%C0%AE',
  encodeURIComponent("1' OR '1'='1"),
  encodeURIComponent('<script>alert(1)</script>'),
  '-1',
  '0',
  '99999999999999999999999',
  '1e400',
  'NaN',
  'null',
  'x'.repeat(101),
  'x'.repeat(10_000),
  '00000000-0000-0000-0000-000000000000',
  'urn:uuid:00000000-0000-0000-0000-000000000000',
  '%20',
  ';',
  '*',
]

/** Whole query strings no schema allows. */
export const HOSTILE_QUERIES = [
  '%ZZ',
  'a=%00',
  '&&&=&',
  '=x',
  '__proto__[admin]=1',
  'constructor[prototype][admin]=1',
  'limit=1&limit=2',
  'limit=-1&cursor=%25%25',
  'limit=1e400',
  `limit=${'9'.repeat(40)}`,
  `q=${'x'.repeat(100_000)}`,
  `${'a=1&'.repeat(2000)}b=2`,
  'since=yesterday&until=tomorrow',
  'cursor=eyJ9',
  `cursor=${Buffer.from('["x"]').toString('base64url')}`,
  `cursor=${Buffer.from(JSON.stringify(['x'.repeat(500), "' OR 1=1 --"])).toString('base64url')}`,
]

/** Values of X-Request-Id that must not become the request id. */
export const BAD_REQUEST_IDS = ['<script>', 'x'.repeat(1000), 'id with spaces', 'ü', "' OR 1=1 --", '']

/** Authorization headers that carry no valid credential. */
export const BAD_AUTHORIZATION = [
  'Bearer',
  'Bearer ',
  'Bearer sk_live_0000000000000000',
  "Bearer ' OR 1=1 --",
  `Bearer ${'x'.repeat(100_000)}`,
  'Basic YWRtaW46YWRtaW4=',
  'Token abc',
  'bearer bearer bearer',
  'Bearer \u00ff\u00fe',
]

/** Cookie headers that carry no valid session. */
export const BAD_COOKIES = [
  'better-auth.session_token=garbage',
  'better-auth.session_token=%ZZ',
  "better-auth.session_token=' OR 1=1 --",
  `better-auth.session_token=${'x'.repeat(100_000)}`,
  'better-auth.session_token=a.b.c; better-auth.session_token=d.e.f',
  'session_token',
  ';;;=;',
  `${'c=1; '.repeat(500)}x=2`,
]
