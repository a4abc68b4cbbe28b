import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { AppContext } from '../../context.ts'
import type { UserRole } from '../../platform/http/access.ts'
import { notFound, unauthorized } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type Principal, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { keysChanged, knownKey } from './cache.ts'

/**
 * API keys for machines. A key is `sk_<prefix>_<secret>`; only its SHA-256 is stored (the key
 * is 190 random bits, so a slow password hash adds nothing). Rotation issues a new key and lets
 * the old one work until `expires_at` (the overlap), then it is rejected.
 */

const KEY_PATTERN = /^sk_([a-z0-9]{8})_([A-Za-z0-9_-]{32})$/
/** last_used_at is written at most this often per key, so using a key is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000

export interface ApiKeyView {
  id: string
  name: string
  role: UserRole
  prefix: string
  createdBy: string | null
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
  revokedAt: string | null
  replacedBy: string | null
  state: 'active' | 'expiring' | 'expired' | 'revoked'
}

export interface IssuedKey {
  apiKey: ApiKeyView
  /** The key itself: shown once, never stored. */
  key: string
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

function newKey(): { key: string; prefix: string } {
  const prefix = randomBytes(6)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0')
    .slice(0, 8)
  const secret = randomBytes(24).toString('base64url')
  return { key: `sk_${prefix}_${secret}`, prefix }
}

interface Row {
  id: string
  name: string
  role: UserRole
  prefix: string
  created_by: string | null
  created_at: Date | string
  last_used_at: Date | string | null
  expires_at: Date | string | null
  revoked_at: Date | string | null
  replaced_by: string | null
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

function present(row: Row, now: number): ApiKeyView {
  const expires = row.expires_at ? new Date(row.expires_at).getTime() : null
  const state = row.revoked_at
    ? 'revoked'
    : expires === null
      ? 'active'
      : expires <= now
        ? 'expired'
        : 'expiring'
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    prefix: row.prefix,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    lastUsedAt: iso(row.last_used_at),
    expiresAt: iso(row.expires_at),
    revokedAt: iso(row.revoked_at),
    replacedBy: row.replaced_by,
    state,
  }
}

export async function createApiKey(
  ctx: AppContext,
  input: { name: string; role: UserRole },
  actor: Actor,
  request?: RequestFacts,
): Promise<IssuedKey> {
  const { key, prefix } = newKey()
  const row = await ctx.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('api_keys')
      .values({
        id: randomUUID(),
        name: input.name,
        role: input.role,
        prefix,
        key_hash: hashKey(key),
        created_by: actorLabel(actor),
        created_at: ctx.clock.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'apikey_create',
      target: { type: 'api_key', id: inserted.id },
      request,
      newValues: { name: input.name, role: input.role, prefix },
    })
    return inserted
  })
  return { apiKey: present(row, ctx.clock.ms()), key }
}

export async function listApiKeys(
  ctx: AppContext,
  options: { includeInactive?: boolean } = {},
): Promise<ApiKeyView[]> {
  const rows = await ctx.db
    .selectFrom('api_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .execute()
  const now = ctx.clock.ms()
  const views = rows.map((row) => present(row, now))
  return options.includeInactive ? views : views.filter((v) => v.state === 'active' || v.state === 'expiring')
}

export async function revokeApiKey(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<ApiKeyView> {
  const view = await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('api_keys')
      .set({ revoked_at: ctx.clock.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst()
    if (!row) throw notFound(`No active API key with id ${id}`)
    await recordAudit(tx, {
      actor,
      action: 'apikey_revoke',
      target: { type: 'api_key', id },
      request,
      newValues: { revokedAt: iso(row.revoked_at) },
    })
    return present(row, ctx.clock.ms())
  })
  await keysChanged(ctx)
  return view
}

/** Issues a replacement with the same name and role; the old key works for `overlapHours` more. */
export async function rotateApiKey(
  ctx: AppContext,
  id: string,
  actor: Actor,
  options: { overlapHours?: number; request?: RequestFacts } = {},
): Promise<IssuedKey & { previous: ApiKeyView }> {
  const overlapHours = options.overlapHours ?? ctx.config.apiKeyOverlapHours
  const { key, prefix } = newKey()
  const now = ctx.clock.now()
  const issued = await ctx.db.transaction().execute(async (tx) => {
    const old = await tx
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .forUpdate()
      .executeTakeFirst()
    const stillValid = old && (!old.expires_at || new Date(old.expires_at).getTime() > now.getTime())
    if (!old || !stillValid) throw notFound(`No active API key with id ${id}`)
    const replacement = await tx
      .insertInto('api_keys')
      .values({
        id: randomUUID(),
        name: old.name,
        role: old.role,
        prefix,
        key_hash: hashKey(key),
        created_by: actorLabel(actor),
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const expiresAt = new Date(now.getTime() + overlapHours * 3_600_000)
    const previous = await tx
      .updateTable('api_keys')
      .set({ expires_at: expiresAt, replaced_by: replacement.id })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'apikey_rotate',
      target: { type: 'api_key', id },
      request: options.request,
      oldValues: { prefix: old.prefix },
      newValues: { replacementId: replacement.id, prefix, oldKeyExpiresAt: expiresAt.toISOString() },
    })
    const at = now.getTime()
    return { apiKey: present(replacement, at), key, previous: present(previous, at) }
  })
  await keysChanged(ctx)
  return issued
}

/** The principal for `Authorization: Bearer sk_...`; null when the request has no API key. */
export async function apiKeyPrincipal(ctx: AppContext, request: FastifyRequest): Promise<Principal | null> {
  const header = request.headers.authorization
  if (!header?.startsWith('Bearer ')) return null
  const key = header.slice('Bearer '.length).trim()
  if (!KEY_PATTERN.test(key)) return null
  const row = await knownKey(ctx, hashKey(key), () =>
    ctx.db
      .selectFrom('api_keys')
      .select(['id', 'name', 'role', 'expires_at', 'revoked_at', 'last_used_at'])
      .where('key_hash', '=', hashKey(key))
      .executeTakeFirst(),
  )
  const now = ctx.clock.ms()
  if (!row || row.revoked_at || (row.expires_at && new Date(row.expires_at).getTime() <= now)) {
    throw unauthorized('Invalid, revoked or expired API key')
  }
  if (!row.last_used_at || now - new Date(row.last_used_at).getTime() >= LAST_USED_RESOLUTION_MS) {
    row.last_used_at = new Date(now) // the cached row too: one write per key and minute, not one per request
    await ctx.db
      .updateTable('api_keys')
      .set({ last_used_at: new Date(now) })
      .where('id', '=', row.id)
      .execute()
  }
  return { kind: 'apikey', id: row.id, role: row.role, label: row.name }
}
