import type { AppContext } from '../../context.ts'
import type { UserRole } from '../../platform/http/access.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { authOf } from './auth.ts'

/** Creates a person with a password (accounts are made by admins; there is no public sign-up). */
export async function createUser(
  ctx: AppContext,
  input: { email: string; name: string; role: UserRole; password: string; demo?: boolean },
  actor: Actor,
  request?: RequestFacts,
): Promise<{ id: string; email: string; role: UserRole }> {
  const email = input.email.trim().toLowerCase()
  if (input.password.length < 12) throw badRequest('The password must be at least 12 characters')
  const existing = await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
  if (existing) throw conflict(`A user with email ${email} already exists`)
  const auth = await authOf(ctx).$context
  const user = await auth.internalAdapter.createUser(
    {
      email,
      name: input.name,
      emailVerified: true,
      role: input.role,
    } as Parameters<typeof auth.internalAdapter.createUser>[0],
    { method: 'admin' } as never,
  )
  await auth.internalAdapter.linkAccount({
    userId: user.id,
    providerId: 'credential',
    accountId: user.id,
    password: await auth.password.hash(input.password),
  })
  if (input.demo) await ctx.db.updateTable('users').set({ demo: true }).where('id', '=', user.id).execute()
  await recordAudit(ctx.db, {
    actor,
    action: 'user_create',
    target: { type: 'user', id: user.id },
    request,
    newValues: { email, role: input.role, demo: Boolean(input.demo) },
  })
  return { id: user.id, email, role: input.role }
}

export interface UserView {
  id: string
  email: string
  name: string
  role: UserRole
  disabled: boolean
  demo: boolean
  twoFactorEnabled: boolean
  lockedUntil: string | null
  createdAt: string
}

const ROLE_RANK: Record<UserRole, number> = { viewer: 0, operator: 1, manager: 2, admin: 3 }

async function findUser(ctx: AppContext, idOrEmail: string) {
  const key = idOrEmail.includes('@') ? 'email' : 'id'
  const user = await ctx.db
    .selectFrom('users')
    .selectAll()
    .where(key, '=', key === 'email' ? idOrEmail.trim().toLowerCase() : idOrEmail)
    .executeTakeFirst()
  if (!user) throw notFound(`No user ${idOrEmail}`)
  return user
}

function present(row: Awaited<ReturnType<typeof findUser>>, now: number): UserView {
  const locked =
    row.locked_until && new Date(row.locked_until).getTime() > now
      ? new Date(row.locked_until).toISOString()
      : null
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled,
    demo: row.demo,
    twoFactorEnabled: row.two_factor_enabled,
    lockedUntil: locked,
    createdAt: new Date(row.created_at).toISOString(),
  }
}

export async function listUsers(ctx: AppContext): Promise<UserView[]> {
  const rows = await ctx.db.selectFrom('users').selectAll().orderBy('email').execute()
  return rows.map((row) => present(row, ctx.clock.ms()))
}

export async function getUser(ctx: AppContext, idOrEmail: string): Promise<UserView> {
  return present(await findUser(ctx, idOrEmail), ctx.clock.ms())
}

/** Changes a role; raising someone's role is also recorded as `privilege_escalation`. */
export async function setRole(
  ctx: AppContext,
  idOrEmail: string,
  role: UserRole,
  actor: Actor,
  request?: RequestFacts,
): Promise<UserView> {
  const user = await findUser(ctx, idOrEmail)
  if (user.role === role) return present(user, ctx.clock.ms())
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ role, updated_at: ctx.clock.now() })
      .where('id', '=', user.id)
      .execute()
    const change = {
      actor,
      target: { type: 'user', id: user.id },
      request,
      oldValues: { role: user.role },
      newValues: { role },
    }
    await recordAudit(tx, { ...change, action: 'role_change' })
    if (ROLE_RANK[role] > ROLE_RANK[user.role])
      await recordAudit(tx, { ...change, action: 'privilege_escalation' })
  })
  return getUser(ctx, user.id)
}

/** Disables (or re-enables) an account; disabling ends its sessions at once. */
export async function setDisabled(
  ctx: AppContext,
  idOrEmail: string,
  disabled: boolean,
  actor: Actor,
  request?: RequestFacts,
): Promise<UserView> {
  const user = await findUser(ctx, idOrEmail)
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ disabled, updated_at: ctx.clock.now() })
      .where('id', '=', user.id)
      .execute()
    if (disabled) await tx.deleteFrom('sessions').where('user_id', '=', user.id).execute()
    await recordAudit(tx, {
      actor,
      action: disabled ? 'user_disable' : 'user_enable',
      target: { type: 'user', id: user.id },
      request,
      oldValues: { disabled: user.disabled },
      newValues: { disabled },
    })
  })
  return getUser(ctx, user.id)
}

export async function unlockUser(
  ctx: AppContext,
  idOrEmail: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<UserView> {
  const user = await findUser(ctx, idOrEmail)
  await ctx.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('users')
      .set({ locked_until: null, failed_sign_ins: 0, first_failed_at: null })
      .where('id', '=', user.id)
      .execute()
    await recordAudit(tx, { actor, action: 'user_unlock', target: { type: 'user', id: user.id }, request })
  })
  return getUser(ctx, user.id)
}

/** An admin sets a new password; the user's sessions end. */
export async function resetPassword(
  ctx: AppContext,
  idOrEmail: string,
  password: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<UserView> {
  if (password.length < 12) throw badRequest('The password must be at least 12 characters')
  const user = await findUser(ctx, idOrEmail)
  const auth = await authOf(ctx).$context
  const hashed = await auth.password.hash(password)
  await ctx.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable('accounts')
      .set({ password: hashed, updated_at: ctx.clock.now() })
      .where('user_id', '=', user.id)
      .where('provider_id', '=', 'credential')
      .executeTakeFirst()
    if (Number(updated.numUpdatedRows) === 0)
      throw badRequest('This user signs in without a password (single sign-on)')
    await tx.deleteFrom('sessions').where('user_id', '=', user.id).execute()
    await recordAudit(tx, {
      actor,
      action: 'password_change',
      target: { type: 'user', id: user.id },
      request,
      newValues: { by: 'admin' },
    })
  })
  return getUser(ctx, user.id)
}
