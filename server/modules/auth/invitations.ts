import { createHash, randomBytes } from 'node:crypto'
import type { AppContext } from '../../context.ts'
import type { UserRole } from '../../platform/http/access.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { insertUser, passwordHash } from './users.ts'

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000

export type InvitationStatus = 'open' | 'accepted' | 'revoked' | 'expired'

export interface InvitationView {
  id: string
  email: string
  role: UserRole
  invitedBy: string
  status: InvitationStatus
  createdAt: string
  expiresAt: string
  acceptedAt: string | null
  userId: string | null
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/** The page a person opens to accept; the token travels in the fragment, so no log records it. */
export const acceptUrl = (ctx: AppContext, token: string) =>
  `${ctx.config.publicUrl}/accept-invitation#${token}`

/**
 * Invites someone by email with a role. The link's token is returned once and stored only as a
 * hash. Inviting an address again replaces its open invitation; an address that already has an
 * account cannot be invited.
 */
export async function inviteUser(
  ctx: AppContext,
  input: { email: string; role: UserRole },
  actor: Actor,
  request?: RequestFacts,
): Promise<{ invitation: InvitationView; token: string; url: string }> {
  const email = input.email.trim().toLowerCase()
  const token = randomBytes(32).toString('base64url')
  const now = ctx.clock.now()
  const id = await ctx.db.transaction().execute(async (tx) => {
    if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst())
      throw new AppError(409, 'CONFLICT', `A user with email ${email} already exists`)
    const replaced = await tx
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute()
    const row = await tx
      .insertInto('invitations')
      .values({
        id: randomBytes(12).toString('base64url'),
        email,
        role: input.role,
        token_hash: hashToken(token),
        invited_by: actorLabel(actor),
        created_at: now,
        expires_at: new Date(now.getTime() + INVITATION_TTL_MS),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .catch((error) => {
        // Another admin's invitation for the same address committed first.
        if ((error as { code?: string }).code === '23505')
          throw new AppError(409, 'CONFLICT', `${email} was invited at the same moment; try again`)
        throw error
      })
    await recordAudit(tx, {
      actor,
      action: 'user_invite',
      target: { type: 'invitation', id: row.id },
      request,
      newValues: { email, role: input.role, replaces: replaced.map((r) => r.id) },
    })
    return row.id
  })
  return { invitation: await getInvitation(ctx, id), token, url: acceptUrl(ctx, token) }
}

export async function listInvitations(ctx: AppContext): Promise<InvitationView[]> {
  const rows = await ctx.db.selectFrom('invitations').selectAll().orderBy('created_at', 'desc').execute()
  return rows.map((row) => present(row, ctx.clock.ms()))
}

async function getInvitation(ctx: AppContext, id: string): Promise<InvitationView> {
  const row = await ctx.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No invitation ${id}`)
  return present(row, ctx.clock.ms())
}

export async function revokeInvitation(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<InvitationView> {
  await ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('invitations')
      .set({ revoked_at: ctx.clock.now() })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning(['id', 'email'])
      .executeTakeFirst()
    if (!row) throw notFound(`No open invitation ${id}`)
    await recordAudit(tx, {
      actor,
      action: 'user_invite_revoke',
      target: { type: 'invitation', id },
      request,
      oldValues: { email: row.email },
    })
  })
  return getInvitation(ctx, id)
}

/** What the acceptance page shows; unknown, used, revoked and expired links all answer 404. */
export async function lookupInvitation(
  ctx: AppContext,
  token: string,
): Promise<{ email: string; role: UserRole; expiresAt: string }> {
  const row = await openInvitation(ctx, ctx.db, token)
  return { email: row.email, role: row.role, expiresAt: new Date(row.expires_at).toISOString() }
}

/**
 * The invited person sets their name and password: the account, the invitation's acceptance and
 * the audit entry are written in one transaction, and the row lock makes a link single-use.
 */
export async function acceptInvitation(
  ctx: AppContext,
  input: { token: string; name: string; password: string },
  request?: RequestFacts,
): Promise<{ id: string; email: string; role: UserRole }> {
  const hash = await passwordHash(ctx, input.password)
  return ctx.db.transaction().execute(async (tx) => {
    const invitation = await openInvitation(ctx, tx, input.token, true)
    const user = await insertUser(
      ctx,
      tx,
      { email: invitation.email, name: input.name, role: invitation.role, password: input.password },
      hash,
      { type: 'system', id: `invitation:${invitation.id}` },
      request,
      { invitation: invitation.id, invitedBy: invitation.invited_by },
    )
    await tx
      .updateTable('invitations')
      .set({ accepted_at: ctx.clock.now(), user_id: user.id })
      .where('id', '=', invitation.id)
      .execute()
    return user
  })
}

async function openInvitation(ctx: AppContext, db: AppContext['db'], token: string, forUpdate = false) {
  let query = db
    .selectFrom('invitations')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', ctx.clock.now())
  if (forUpdate) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  if (!row) throw notFound('This invitation link is unknown, used, revoked or expired')
  return row
}

function present(row: Awaited<ReturnType<typeof openInvitation>>, now: number): InvitationView {
  const status: InvitationStatus = row.accepted_at
    ? 'accepted'
    : row.revoked_at
      ? 'revoked'
      : new Date(row.expires_at).getTime() <= now
        ? 'expired'
        : 'open'
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    status,
    createdAt: new Date(row.created_at).toISOString(),
    expiresAt: new Date(row.expires_at).toISOString(),
    acceptedAt: row.accepted_at ? new Date(row.accepted_at).toISOString() : null,
    userId: row.user_id,
  }
}
