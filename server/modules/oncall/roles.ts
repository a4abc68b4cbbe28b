import type { AppContext } from '../../context.ts'
import { actorLabel } from '../../platform/http/principal.ts'
import { type Contact, contactsByIds, requirePeople } from './contacts.ts'
import { audit, type Change, write } from './writes.ts'

/** The runbook's escalation contacts, as roles held by people in the directory. */
export const ESCALATION_ROLES = ['engineering_lead', 'vp_engineering', 'cto', 'ceo'] as const
export type EscalationRole = (typeof ESCALATION_ROLES)[number]

export interface RoleAssignment {
  role: EscalationRole
  contact: Contact | null
}

/** The contact holding a runbook escalation role; null when unassigned. */
export async function contactForRole(ctx: AppContext, role: EscalationRole): Promise<Contact | null> {
  const row = await ctx.db
    .selectFrom('oncall_roles')
    .select('contact_id')
    .where('role', '=', role)
    .executeTakeFirst()
  if (!row) return null
  return (await contactsByIds(ctx.db, [row.contact_id])).get(row.contact_id) ?? null
}

/** Every role in escalation order, assigned or not. */
export async function listRoles(ctx: AppContext): Promise<RoleAssignment[]> {
  const rows = await ctx.db.selectFrom('oncall_roles').select(['role', 'contact_id']).execute()
  const contacts = await contactsByIds(
    ctx.db,
    rows.map((row) => row.contact_id),
  )
  const holder = new Map(rows.map((row) => [row.role, contacts.get(row.contact_id) ?? null]))
  return ESCALATION_ROLES.map((role) => ({ role, contact: holder.get(role) ?? null }))
}

/** Gives a role to a person (`null` leaves it unassigned). */
export async function assignRole(
  ctx: AppContext,
  role: EscalationRole,
  contactId: string | null,
  change: Change,
): Promise<RoleAssignment> {
  return write(ctx, async (tx) => {
    const before = await tx
      .selectFrom('oncall_roles')
      .select('contact_id')
      .where('role', '=', role)
      .forUpdate()
      .executeTakeFirst()
    const previous = before?.contact_id ?? null
    if (contactId === null) {
      await tx.deleteFrom('oncall_roles').where('role', '=', role).execute()
    } else {
      await requirePeople(tx, [contactId], 'contactId')
      await tx
        .insertInto('oncall_roles')
        .values({
          role,
          contact_id: contactId,
          updated_at: ctx.clock.now(),
          updated_by: actorLabel(change.actor),
        })
        .onConflict((oc) =>
          oc.column('role').doUpdateSet({
            contact_id: contactId,
            updated_at: ctx.clock.now(),
            updated_by: actorLabel(change.actor),
          }),
        )
        .execute()
    }
    if (previous !== contactId) {
      await audit(tx, 'oncall_update', { type: 'oncall_role', id: role }, change, {
        old: { contactId: previous },
        new: { contactId },
      })
    }
    const contact = contactId ? ((await contactsByIds(tx, [contactId])).get(contactId) ?? null) : null
    return { role, contact }
  })
}
