import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/** SESSION_SECRETS="newest,older,..." -> better-auth `secrets` with versions derived from the secret
 * itself, so a secret keeps its version whatever its position (encrypted values store the version). */
export function toVersionedSecrets(list: string[]): { version: number; value: string }[] {
  return list.map((value) => ({
    version: createHash('sha256').update(value).digest().readUInt32BE(0) & 0x7fffffff,
    value,
  }))
}

const sign = (value: string, secret: string) => createHmac('sha256', secret).update(value).digest('base64')

function verifies(value: string, sig: string, secret: string): boolean {
  const expected = Buffer.from(sign(value, secret))
  const got = Buffer.from(sig)
  return expected.length === got.length && timingSafeEqual(expected, got)
}

/**
 * better-auth signs cookies (session_token, dont_remember, two_factor, trust_device, ...) with the
 * current secret only: value = encodeURIComponent(`${raw}.${base64(HMAC-SHA256(secret, raw))}`).
 * Rewrite a Cookie header so that cookies signed with an older secret are re-signed with the current
 * one. Cookies that verify with no secret are left alone (better-auth then rejects them).
 */
export function resignCookieHeader(cookieHeader: string | undefined, secrets: string[], prefix = 'better-auth.'): string | undefined {
  if (!cookieHeader || secrets.length < 2) return cookieHeader
  const [current, ...older] = secrets as [string, ...string[]]
  let changed = false
  const parts = cookieHeader.split(/;\s*/).map((part) => {
    const eq = part.indexOf('=')
    if (eq < 0) return part
    const name = part.slice(0, eq)
    if (!name.replace(/^__(Secure|Host)-/, '').startsWith(prefix)) return part
    let decoded: string
    try { decoded = decodeURIComponent(part.slice(eq + 1)) } catch { return part }
    const dot = decoded.lastIndexOf('.')
    const raw = decoded.slice(0, dot)
    const sig = decoded.slice(dot + 1)
    if (dot < 1 || sig.length !== 44 || !sig.endsWith('=')) return part
    if (verifies(raw, sig, current)) return part
    if (!older.some((s) => verifies(raw, sig, s))) return part
    changed = true
    return `${name}=${encodeURIComponent(`${raw}.${sign(raw, current)}`)}`
  })
  return changed ? parts.join('; ') : cookieHeader
}
