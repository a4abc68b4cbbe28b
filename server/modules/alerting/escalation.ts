import { createHash } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Db } from '../../platform/db/database.ts'
import type { AlertSeverity, Tables } from '../../platform/db/schema.ts'
import { enqueueNotification, hasChannel, type NotificationTarget } from '../notifications/service.ts'
import { type Contact, contactForRole, type EscalationRole, onCallAt } from '../oncall/service.ts'
import { DEFAULT_POLICIES, type EscalationStep } from './defaults.ts'

/**
 * Escalation: who each step of a policy reaches, and the messages sent to them. Policies are
 * stored per severity (the runbook's matrix until an admin changes one). A step is recorded in
 * `alert_steps` in the same transaction as its messages enter the outbox, so after a crash a
 * step is either done with its messages queued or not done at all.
 */

export interface Recipient {
  /** For people reading the timeline: "on-call primary: Ann (email)". */
  label: string
  target: NotificationTarget
  mention?: string
}

export interface Unreached {
  label: string
  reason: string
}

/** Every severity's steps: the stored policy, or the runbook's default. */
export async function loadPolicies(
  db: Db | Transaction<Tables>,
): Promise<Record<AlertSeverity, EscalationStep[]>> {
  const rows = await db.selectFrom('escalation_policies').select(['severity', 'steps']).execute()
  const policies = { ...DEFAULT_POLICIES }
  for (const row of rows) policies[row.severity] = row.steps as EscalationStep[]
  return policies
}

function contactRecipients(who: string, contact: Contact): Recipient[] {
  const found: Recipient[] = []
  if (contact.email)
    found.push({ label: `${who}: ${contact.name} (email)`, target: { email: contact.email } })
  if (contact.slack)
    found.push({
      label: `${who}: ${contact.name} (Slack)`,
      target: { channel: 'slack' },
      mention: contact.slack,
    })
  if (contact.webhookUrl)
    found.push({ label: `${who}: ${contact.name} (webhook)`, target: { webhook: contact.webhookUrl } })
  return found
}

/** Turns a step's targets into recipients now (who is on call, who holds a role). */
export async function resolveTargets(
  ctx: AppContext,
  targets: string[],
  at: Date,
): Promise<{ recipients: Recipient[]; unreached: Unreached[] }> {
  const recipients: Recipient[] = []
  const unreached: Unreached[] = []
  for (const target of targets) {
    if (target === 'slack' || target === 'email' || target.startsWith('channel:')) {
      const channel = target.startsWith('channel:') ? target.slice('channel:'.length) : target
      if (await hasChannel(ctx, channel))
        recipients.push({ label: `channel ${channel}`, target: { channel } })
      else unreached.push({ label: `channel ${channel}`, reason: 'channel not configured' })
    } else if (target === 'oncall' || target === 'oncall:secondary') {
      const tier = target === 'oncall' ? 'primary' : 'secondary'
      const now = await onCallAt(ctx, { at })
      const contact = now?.[tier] ?? null
      if (!contact)
        unreached.push({ label: `on-call ${tier}`, reason: now ? 'nobody on call' : 'no schedule' })
      else {
        const found = contactRecipients(`on-call ${tier}`, contact)
        if (found.length === 0)
          unreached.push({ label: `on-call ${tier}: ${contact.name}`, reason: 'no address' })
        recipients.push(...found)
      }
    } else if (target.startsWith('role:')) {
      const role = target.slice('role:'.length) as EscalationRole
      const contact = await contactForRole(ctx, role)
      const who = role.replaceAll('_', ' ')
      if (!contact) unreached.push({ label: who, reason: 'role not assigned' })
      else {
        const found = contactRecipients(who, contact)
        if (found.length === 0) unreached.push({ label: `${who}: ${contact.name}`, reason: 'no address' })
        recipients.push(...found)
      }
    } else unreached.push({ label: target, reason: 'unknown target' })
  }
  return { recipients, unreached }
}

export function targetKey(recipient: Pick<Recipient, 'target' | 'mention'>): string {
  return createHash('sha256')
    .update(JSON.stringify([recipient.target, recipient.mention ?? null]))
    .digest('hex')
    .slice(0, 16)
}

export interface AlertMessage {
  title: string
  text: string
  severity: AlertSeverity | 'info'
  fields: { label: string; value: string }[]
  link: string
  source: string
}

/** Queues one message per recipient in `tx`; the key makes a replay (same key) a no-op. */
export async function sendTo(
  ctx: AppContext,
  tx: Transaction<Tables>,
  recipients: Recipient[],
  keyPrefix: string,
  message: AlertMessage,
): Promise<number> {
  for (const recipient of recipients)
    await enqueueNotification(ctx, tx, {
      ...message,
      target: recipient.target,
      mention: recipient.mention,
      idempotencyKey: `${keyPrefix}:${targetKey(recipient)}`,
    })
  return recipients.length
}
