import type { AppContext } from '../server/context.ts'
import { createContact } from '../server/modules/oncall/contacts.ts'
import { assignRole } from '../server/modules/oncall/roles.ts'
import { createSchedule, putRotation } from '../server/modules/oncall/schedules.ts'

/**
 * The people escalation reaches, each with an e-mail address `<name>@example.com`: Olive on call
 * (primary, the default schedule) and Lena, Victor, Chris and Cora holding the engineering lead,
 * VP engineering, CTO and CEO roles.
 */
export async function escalationPeople(ctx: AppContext): Promise<void> {
  const change = { actor: { type: 'system' as const, id: null } }
  const person = (name: string) =>
    createContact(ctx, { name, kind: 'person', email: `${name.toLowerCase()}@example.com` }, change)
  const olive = await person('Olive')
  const schedule = await createSchedule(
    ctx,
    { name: 'Primary', timezone: 'Europe/London', isDefault: true },
    change,
  )
  await putRotation(
    ctx,
    schedule.id,
    'primary',
    { participants: [olive.id], shiftDays: 7, handoffTime: '09:00', startDate: '2026-01-05' },
    change,
  )
  for (const [role, name] of [
    ['engineering_lead', 'Lena'],
    ['vp_engineering', 'Victor'],
    ['cto', 'Chris'],
    ['ceo', 'Cora'],
  ] as const)
    await assignRole(ctx, role, (await person(name)).id, change)
}
