import { randomBytes } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { AppContext } from '../../context.ts'
import type { Tables } from '../../platform/db/schema.ts'
import type { UserRole } from '../../platform/http/access.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { recordAudit } from '../audit/service.ts'
import { authOf } from './auth.ts'

export interface NewUser {
  email: string
  name: string
  role: UserRole
  password: string
  demo?: boolean
}

/** Creates a person with a password (accounts are made by admins; there is no public sign-up). */
export async function createUser(
  ctx: AppContext,
  input: NewUser,
  actor: Actor,
  request?: RequestFacts,
): Promise<{ id: string; email: string; role: UserRole }> {
  const hash = await passwordHash(ctx, input.password)
  return ctx.db.transaction().execute((tx) => insertUser(ctx, tx, input, hash, actor, request))
}

export async function passwordHash(ctx: AppContext, password: string): Promise<string> {
  if (password.length < 12) throw badRequest('The password must be at least 12 characters')
  return (await authOf(ctx).$context).password.hash(password)
}

/**
 * The user, their password account and the `user_create` entry, in the caller's transaction
 * (written here rather than through better-auth's adapter, which cannot join it). The unique
 * email index, not the first lookup, is what stops a duplicate.
 */
export async function insertUser(
  ctx: AppContext,
  tx: Transaction<Tables>,
  input: NewUser,
  hash: string,
  actor: Actor,
  request?: RequestFacts,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; email: string; role: UserRole }> {
  const email = input.email.trim().toLowerCase()
  const taken = () => conflict(`A user with email ${email} already exists`)
  if (await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) throw taken()
  const id = randomBytes(24).toString('base64url')
  const now = ctx.clock.now()
  await tx
    .insertInto('users')
    .values({
      id,
      email,
      name: input.name,
      email_verified: true,
      role: input.role,
      demo: Boolean(input.demo),
      created_at: now,
      updated_at: now,
    })
    .execute()
    .catch((error) => {
      throw isUniqueViolation(error) ? taken() : error
    })
  await tx
    .insertInto('accounts')
    .values({
      id: randomBytes(24).toString('base64url'),
      user_id: id,
      provider_id: 'credential',
      account_id: id,
      password: hash,
      created_at: now,
      updated_at: now,
    })
    .execute()
  await recordAudit(tx, {
    actor,
    action: 'user_create',
    target: { type: 'user', id },
    request,
    newValues: { email, role: input.role, demo: Boolean(input.demo), ...extra },
  })
  return { id, email, role: input.role }
}

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

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
  const hashed = await passwordHash(ctx, password)
  const user = await findUser(ctx, idOrEmail)
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
