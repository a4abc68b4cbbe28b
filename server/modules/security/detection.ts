/**
 * Recognises common attack payloads in a request's path, query and body. Patterns are kept
 * narrow so that ordinary business text ("Gin & Tonic", "50% off -- today") does not match.
 */
export type AttackKind = 'sql_injection' | 'xss' | 'path_traversal' | 'command_injection'

interface Pattern {
  kind: AttackKind
  name: string
  re: RegExp
  /** Can match text made only of letters, digits and `_-./` (see `PLAIN`). */
  plain?: true
}

const PATTERNS: Pattern[] = [
  { kind: 'sql_injection', name: 'union select', re: /\bunion\b[\s(]+(all\s+)?select\b/i },
  { kind: 'sql_injection', name: 'tautology', re: /['"]\s*(or|and)\s+['"]?[\w]+['"]?\s*=\s*['"]?[\w]+/i },
  { kind: 'sql_injection', name: 'numeric tautology', re: /\b(or|and)\s+(\d+)\s*=\s*\2\b/i },
  {
    kind: 'sql_injection',
    name: 'stacked statement',
    re: /;\s*(drop|delete|insert|update|alter|truncate|create)\s+\w/i,
  },
  { kind: 'sql_injection', name: 'comment terminator', re: /['"]\s*(--|#|\/\*)/ },
  { kind: 'sql_injection', name: 'time delay', re: /\b(pg_sleep|sleep|benchmark|waitfor\s+delay)\s*\(/i },
  {
    kind: 'sql_injection',
    name: 'catalog probe',
    re: /\b(information_schema|pg_catalog|pg_shadow|xp_cmdshell)\b/i,
    plain: true,
  },
  { kind: 'xss', name: 'script tag', re: /<\s*\/?\s*script\b/i },
  { kind: 'xss', name: 'javascript url', re: /javascript\s*:/i },
  { kind: 'xss', name: 'event handler', re: /<[^>]*\bon[a-z]+\s*=/i },
  { kind: 'xss', name: 'embedded frame', re: /<\s*(iframe|object|embed|svg)\b/i },
  { kind: 'path_traversal', name: 'dot-dot segment', re: /(^|[\\/])\.\.([\\/]|$)/, plain: true },
  { kind: 'path_traversal', name: 'encoded dot-dot', re: /%2e%2e(%2f|%5c|\/|\\)/i },
  {
    kind: 'path_traversal',
    name: 'system file',
    re: /\/etc\/(passwd|shadow|hosts)\b|\bwin\.ini\b|\bboot\.ini\b/i,
    plain: true,
  },
  {
    kind: 'command_injection',
    name: 'shell command',
    re: /(;|\|\|?|&&|\$\(|`)\s*(cat|ls|id|whoami|uname|curl|wget|nc|ncat|bash|sh|zsh|python3?|perl|php|rm|chmod)\b/i,
  },
]

export interface Detection {
  kind: AttackKind
  pattern: string
  /** Where it matched: path, query or body. */
  location: 'path' | 'query' | 'body'
  sample: string
}

const MAX_SAMPLE = 200
const MAX_SCANNED = 64 * 1024

/** Truncates and escapes a payload for storage and logs: no control characters, no markup. */
export function escapeSample(text: string): string {
  const cut = text.length > MAX_SAMPLE ? `${text.slice(0, MAX_SAMPLE)}…` : text
  return JSON.stringify(cut).slice(1, -1).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')
}

/** Most URLs (`/api/orders/42`) are plain: no quote, space, escape or operator to build an attack from. */
const PLAIN = /^[\w\-./]*$/
export const PLAIN_PATTERNS = PATTERNS.filter((pattern) => pattern.plain)

export function detect(
  text: string,
  location: Detection['location'],
  patterns: readonly Pattern[] = PATTERNS,
): Detection | null {
  const scanned = text.length > MAX_SCANNED ? text.slice(0, MAX_SCANNED) : text
  for (const { kind, name, re } of patterns) {
    if (re.test(scanned)) return { kind, pattern: name, location, sample: escapeSample(scanned) }
  }
  return null
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    return text
  }
}

/** The string values of a parsed JSON body, depth- and count-limited. */
export function stringLeaves(value: unknown, out: string[] = [], depth = 0): string[] {
  if (out.length >= 1000 || depth > 20) return out
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const item of value) stringLeaves(item, out, depth + 1)
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      out.push(key)
      stringLeaves(item, out, depth + 1)
    }
  }
  return out
}

/** Checks the raw URL (path and query, decoded and not) for attack patterns. */
export function detectInUrl(rawUrl: string): Detection | null {
  if (PLAIN.test(rawUrl)) return detect(rawUrl, 'path', PLAIN_PATTERNS)
  const [path = '', query = ''] = splitOnce(rawUrl, '?')
  return (
    detect(path, 'path') ??
    detect(safeDecode(path), 'path') ??
    (query ? (detect(query, 'query') ?? detect(safeDecode(query), 'query')) : null)
  )
}

export function detectInBody(body: unknown): Detection | null {
  if (body === undefined || body === null) return null
  // A streamed body (CSV uploads) is read by its route, never buffered here.
  if (typeof (body as { pipe?: unknown }).pipe === 'function') return null
  // Raw bodies (the sign-in scope keeps them as bytes) are scanned as text, never walked byte by byte.
  if (Buffer.isBuffer(body)) return detect(body.toString('utf8', 0, MAX_SCANNED), 'body')
  for (const text of typeof body === 'string' ? [body] : stringLeaves(body)) {
    const found = detect(text, 'body')
    if (found) return found
  }
  return null
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator)
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)]
}
