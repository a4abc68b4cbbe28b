import { randomUUID } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { OncallContactsTable } from '../../platform/db/schema.ts'
import { conflict, notFound, validationFailed } from '../../platform/http/errors.ts'
import {
  audit,
  type Change,
  differences,
  maskWebhook,
  type Tx,
  UUID,
  unknownReference,
  write,
} from './writes.ts'

/** The contacts directory: people who can be on call or hold a role, and vendor support. */

export type ContactKind = 'person' | 'vendor'

export interface Contact {
  id: string
  name: string
  kind: ContactKind
  email: string | null
  /** A channel ("#ops") or a user id ("U123ABC"). */
  slack: string | null
  webhookUrl: string | null
  phone: string | null
  organisation: string | null
  notes: string | null
  /** An optional link to an app user. */
  userId: string | null
}

export interface ContactInput {
  name: string
  kind: ContactKind
  email?: string | null
  slack?: string | null
  webhookUrl?: string | null
  phone?: string | null
  organisation?: string | null
  notes?: string | null
  userId?: string | null
}

export type ContactPatch = Partial<ContactInput>

/** Slack: a channel name after "#" (lower case, digits, `-`, `_`, `.`) or a user id (U… or W…). */
export const SLACK_PATTERN = '^(#[a-z0-9][a-z0-9._-]{0,79}|[UW][A-Z0-9]{2,20})$'
/** Digits with the usual separators, an optional leading "+" and an "x" for an extension. */
export const PHONE_PATTERN = '^\\+?[0-9][0-9 ().x-]{2,39}$'
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

type Row = Selectable<OncallContactsTable>

export function presentContact(row: Row): Contact {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    email: row.email,
    slack: row.slack,
    webhookUrl: row.webhook_url,
    phone: row.phone,
    organisation: row.organisation,
    notes: row.notes,
    userId: row.user_id,
  }
}

/** The contact as the audit log keeps it (the webhook's credential left out). */
const audited = (contact: Contact) => ({ ...contact, webhookUrl: maskWebhook(contact.webhookUrl) })

export async function listContacts(ctx: AppContext, filter: { kind?: ContactKind } = {}): Promise<Contact[]> {
  let query = ctx.db.selectFrom('oncall_contacts').selectAll()
  if (filter.kind) query = query.where('kind', '=', filter.kind)
  const rows = await query.orderBy('kind').orderBy('name').orderBy('id').execute()
  return rows.map(presentContact)
}

/** A contact by id; null when there is none (or the id cannot be one). */
export async function getContact(ctx: AppContext, id: string): Promise<Contact | null> {
  if (!UUID.test(id)) return null
  const row = await ctx.db.selectFrom('oncall_contacts').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? presentContact(row) : null
}

/** Contacts by id, for presenting who is on call. */
export async function contactsByIds(db: Db | Tx, ids: (string | null)[]): Promise<Map<string, Contact>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))]
  if (wanted.length === 0) return new Map()
  const rows = await db.selectFrom('oncall_contacts').selectAll().where('id', 'in', wanted).execute()
  return new Map(rows.map((row) => [row.id, presentContact(row)]))
}

/**
 * 400 UNKNOWN_CONTACT unless every id is in the directory, NOT_A_PERSON for a vendor (vendors
 * are listed for reference; they hold no role and take no shift).
 */
export async function requirePeople(tx: Tx, ids: string[], field: string): Promise<void> {
  const wanted = [...new Set(ids)]
  const valid = wanted.filter((id) => UUID.test(id))
  const rows = valid.length
    ? await tx.selectFrom('oncall_contacts').select(['id', 'kind']).where('id', 'in', valid).execute()
    : []
  const kinds = new Map(rows.map((row) => [row.id, row.kind]))
  const missing = wanted.filter((id) => !kinds.has(id))
  if (missing.length > 0)
    throw unknownReference('UNKNOWN_CONTACT', `No contact ${missing.join(', ')}`, {
      field,
      contacts: missing,
    })
  const vendors = wanted.filter((id) => kinds.get(id) === 'vendor')
  if (vendors.length > 0)
    throw unknownReference(
      'NOT_A_PERSON',
      `Vendor contacts cannot be on call or hold a role: ${vendors.join(', ')}`,
      {
        field,
        contacts: vendors,
      },
    )
}

/** Values as stored: trimmed, empty text as null, email in lower case; refuses what is malformed. */
function normalise(input: ContactPatch): ContactPatch {
  const text = (value: string | null | undefined) => {
    if (value === undefined || value === null) return value
    const trimmed = value.trim()
    return trimmed === '' ? null : trimmed
  }
  const email = text(input.email)
  const out: ContactPatch = {
    ...input,
    name: input.name === undefined ? undefined : input.name.trim(),
    email: typeof email === 'string' ? email.toLowerCase() : email,
    slack: text(input.slack),
    webhookUrl: text(input.webhookUrl),
    phone: text(input.phone),
    organisation: text(input.organisation),
    notes: text(input.notes),
  }
  if (out.name === '') throw validationFailed('A contact needs a name', { field: 'name' })
  if (out.email && !EMAIL.test(out.email))
    throw validationFailed(`"${out.email}" is not an email address`, { field: 'email' })
  if (out.slack && !new RegExp(SLACK_PATTERN).test(out.slack))
    throw validationFailed('Slack must be a channel ("#ops") or a user id ("U0123ABC")', { field: 'slack' })
  if (out.phone && !new RegExp(PHONE_PATTERN).test(out.phone))
    throw validationFailed(`"${out.phone}" is not a phone number`, { field: 'phone' })
  if (out.webhookUrl && !isWebUrl(out.webhookUrl))
    throw validationFailed('The webhook must be an http or https URL', { field: 'webhookUrl' })
  return out
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== ''
  } catch {
    return false
  }
}

async function requireUser(tx: Tx, userId: string | null | undefined): Promise<void> {
  if (!userId) return
  const user = await tx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()
  if (!user) throw unknownReference('UNKNOWN_USER', `No user ${userId}`, { field: 'userId' })
}

export async function createContact(ctx: AppContext, input: ContactInput, change: Change): Promise<Contact> {
  const values = normalise(input) as ContactInput
  return write(ctx, async (tx) => {
    await requireUser(tx, values.userId)
    const now = ctx.clock.now()
    const row = await tx
      .insertInto('oncall_contacts')
      .values({
        id: randomUUID(),
        name: values.name,
        kind: values.kind,
        email: values.email ?? null,
        slack: values.slack ?? null,
        webhook_url: values.webhookUrl ?? null,
        phone: values.phone ?? null,
        organisation: values.organisation ?? null,
        notes: values.notes ?? null,
        user_id: values.userId ?? null,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const contact = presentContact(row)
    await audit(tx, 'oncall_create', { type: 'oncall_contact', id: contact.id }, change, {
      new: audited(contact),
    })
    return contact
  })
}

async function lockContact(tx: Tx, id: string): Promise<Row> {
  const row = UUID.test(id)
    ? await tx.selectFrom('oncall_contacts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    : undefined
  if (!row) throw notFound(`No contact ${id}`)
  return row
}

/** Where a contact is still needed: roles, rotations, and overrides not yet over. */
export async function usesOf(ctx: AppContext, tx: Tx, id: string) {
  const roles = await tx.selectFrom('oncall_roles').select('role').where('contact_id', '=', id).execute()
  const rotations = await tx
    .selectFrom('oncall_rotation_members as m')
    .innerJoin('oncall_rotations as r', 'r.id', 'm.rotation_id')
    .innerJoin('oncall_schedules as s', 's.id', 'r.schedule_id')
    .select(['s.name as schedule', 'r.tier'])
    .distinct()
    .where('m.contact_id', '=', id)
    .execute()
  const overrides = await tx
    .selectFrom('oncall_overrides')
    .select('id')
    .where('contact_id', '=', id)
    .where('ends_at', '>', ctx.clock.now())
    .execute()
  const inUse = roles.length + rotations.length + overrides.length > 0
  return { inUse, roles: roles.map((r) => r.role), rotations, overrides: overrides.map((o) => o.id) }
}

export async function updateContact(
  ctx: AppContext,
  id: string,
  patch: ContactPatch,
  change: Change,
): Promise<Contact> {
  const values = normalise(patch)
  return write(ctx, async (tx) => {
    const before = presentContact(await lockContact(tx, id))
    if (values.userId !== undefined) await requireUser(tx, values.userId)
    if (values.kind === 'vendor' && before.kind === 'person') {
      const uses = await usesOf(ctx, tx, id)
      if (uses.inUse) throw conflict(`${before.name} is on call or holds a role; a vendor cannot`, uses)
    }
    const row = await tx
      .updateTable('oncall_contacts')
      .set({
        name: values.name,
        kind: values.kind,
        email: values.email,
        slack: values.slack,
        webhook_url: values.webhookUrl,
        phone: values.phone,
        organisation: values.organisation,
        notes: values.notes,
        user_id: values.userId,
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const after = presentContact(row)
    const changed = differences(audited(before), audited(after))
    if (changed) await audit(tx, 'oncall_update', { type: 'oncall_contact', id }, change, changed)
    return after
  })
}

/** Deletes a contact no role, rotation or current override needs; 409 naming the uses otherwise. */
export async function deleteContact(ctx: AppContext, id: string, change: Change): Promise<Contact> {
  return write(ctx, async (tx) => {
    const contact = presentContact(await lockContact(tx, id))
    const uses = await usesOf(ctx, tx, id)
    if (uses.inUse) {
      throw conflict(`${contact.name} is still used (${describeUses(uses)}); reassign them first`, {
        roles: uses.roles,
        rotations: uses.rotations,
        overrides: uses.overrides,
      })
    }
    await tx.deleteFrom('oncall_contacts').where('id', '=', id).execute()
    await audit(tx, 'oncall_delete', { type: 'oncall_contact', id }, change, { old: audited(contact) })
    return contact
  })
}

function describeUses(uses: Awaited<ReturnType<typeof usesOf>>): string {
  const parts = [
    ...uses.roles.map((role) => `role ${role}`),
    ...uses.rotations.map((r) => `${r.tier} rotation of ${r.schedule}`),
    ...(uses.overrides.length ? [`${uses.overrides.length} current or upcoming override(s)`] : []),
  ]
  return parts.join(', ')
}
