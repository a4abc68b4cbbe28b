import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../../config.ts'

/**
 * Session secrets. SESSION_SECRETS="newest,older,…": the first signs, all verify. better-auth
 * itself signs and checks cookies with one secret, so cookies signed with an older secret are
 * re-signed with the current one before better-auth sees them; a rotation logs nobody out.
 */
export const MIN_SECRET_LENGTH = 32

/** The generated secret of each config, read once (the session check asks on every request). */
const generated = new WeakMap<Config, string>()

/**
 * The configured secrets; outside production a generated one kept in DATA_DIR stands in. It is
 * this process's own: replicas sharing a database need SESSION_SECRETS to share sessions.
 */
export function sessionSecrets(config: Config): string[] {
  if (config.auth.sessionSecrets.length > 0) return config.auth.sessionSecrets
  if (config.env === 'production') return []
  let secret = generated.get(config)
  if (!secret) {
    secret = readOrCreateSecret(path.join(config.dataDir, 'session-secret'), config.dataDir)
    generated.set(config, secret)
  }
  return [secret]
}

function readOrCreateSecret(file: string, dir: string): string {
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    const secret = randomBytes(32).toString('base64url')
    mkdirSync(dir, { recursive: true })
    writeFileSync(file, `${secret}\n`, { mode: 0o600 })
    return secret
  }
}

/** better-auth `secrets` with a version derived from each secret, so it keeps it whatever its position. */
export function versionedSecrets(list: string[]): { version: number; value: string }[] {
  return list.map((value) => ({
    version: createHash('sha256').update(value).digest().readUInt32BE(0) & 0x7fffffff,
    value,
  }))
}

const sign = (value: string, secret: string) => createHmac('sha256', secret).update(value).digest('base64')

function verifies(value: string, signature: string, secret: string): boolean {
  const expected = Buffer.from(sign(value, secret))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/** Rewrites a Cookie header so that better-auth cookies signed with an older secret carry the current signature. */
export function resignCookieHeader(
  header: string | undefined,
  secrets: string[],
  prefix = 'better-auth.',
): string | undefined {
  if (!header || secrets.length < 2) return header
  const [current, ...older] = secrets as [string, ...string[]]
  let changed = false
  const parts = header.split(/;\s*/).map((part) => {
    const eq = part.indexOf('=')
    if (eq < 0) return part
    const name = part.slice(0, eq)
    if (!name.replace(/^__(Secure|Host)-/, '').startsWith(prefix)) return part
    let decoded: string
    try {
      decoded = decodeURIComponent(part.slice(eq + 1))
    } catch {
      return part
    }
    const dot = decoded.lastIndexOf('.')
    const raw = decoded.slice(0, dot)
    const signature = decoded.slice(dot + 1)
    if (dot < 1 || signature.length !== 44 || !signature.endsWith('=')) return part
    if (verifies(raw, signature, current) || !older.some((secret) => verifies(raw, signature, secret)))
      return part
    changed = true
    return `${name}=${encodeURIComponent(`${raw}.${sign(raw, current)}`)}`
  })
  return changed ? parts.join('; ') : header
}
