import { randomBytes } from 'node:crypto'
import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import { isRole, ROLES, type UserRole } from '../../platform/http/access.ts'
import type { InvitationView } from './invitations.ts'
import type { UserView } from './users.ts'

const service = () => import('./users.ts')

type Options = RemoteOptions

function role(value: string): UserRole {
  if (!isRole(value)) throw new CliError(`role must be one of ${ROLES.join(', ')}`)
  return value
}

function show(users: UserView[], options: Options): void {
  if (options.json) {
    printJson({ items: users })
    return
  }
  printTable(
    users.map((u) => ({
      ...u,
      state: u.disabled ? 'disabled' : u.lockedUntil ? `locked until ${u.lockedUntil}` : 'active',
      '2fa': u.twoFactorEnabled ? 'on' : 'off',
    })),
    ['id', 'email', 'name', 'role', 'state', '2fa'],
  )
}

/** Resolves an email to an id through the API (the routes take ids). */
async function remoteId(options: Options, idOrEmail: string): Promise<string> {
  if (!idOrEmail.includes('@')) return idOrEmail
  const { items } = await remoteFor(options)<{ items: UserView[] }>('GET', '/api/users')
  const user = items.find((u) => u.email === idOrEmail.toLowerCase())
  if (!user) throw new CliError(`No user ${idOrEmail}`)
  return user.id
}

export function registerUserCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('users:create')
      .description('create an account; without --password one is generated and printed once')
      .requiredOption('--email <email>')
      .requiredOption('--role <role>', ROLES.join(' | '))
      .option('--name <name>', 'display name (default: the part of the email before @)')
      .option('--password <password>', '12+ characters'),
  ).action(async (options: Options & { email: string; role: string; name?: string; password?: string }) => {
    const generated = options.password ? undefined : randomBytes(15).toString('base64url')
    const input = {
      email: options.email,
      name: options.name ?? options.email.split('@')[0]!,
      role: role(options.role),
      password: options.password ?? generated!,
    }
    const user = options.url
      ? await remoteFor(options)<UserView>('POST', '/api/users', input)
      : await withContext(async (ctx) => {
          const users = await service()
          const created = await users.createUser(ctx, input, cliActor)
          return users.getUser(ctx, created.id)
        })
    if (options.json) return printJson({ user, ...(generated ? { password: generated } : {}) })
    console.log(`Created ${user.email} (${user.role}).`)
    if (generated) console.log(`Password (shown this once): ${generated}`)
  })

  withRemoteOptions(
    program
      .command('users:invite')
      .description('invite someone by email with a role; prints the single-use link (valid 7 days) once')
      .argument('<email>')
      .requiredOption('--role <role>', ROLES.join(' | ')),
  ).action(async (email: string, options: Options & { role: string }) => {
    const input = { email, role: role(options.role) }
    const { invitation, url } = options.url
      ? await remoteFor(options)<{ invitation: InvitationView; url: string }>(
          'POST',
          '/api/users/invitations',
          input,
        )
      : await withContext(async (ctx) => (await import('./invitations.ts')).inviteUser(ctx, input, cliActor))
    if (options.json) return printJson({ invitation, url })
    console.log(
      `Invited ${invitation.email} as ${invitation.role}; the link expires ${invitation.expiresAt}.`,
    )
    console.log(`Link (shown this once): ${url}`)
  })

  withRemoteOptions(
    program.command('users:invitations').description('list invitations and their status'),
  ).action(async (options: Options) => {
    const items = options.url
      ? (await remoteFor(options)<{ items: InvitationView[] }>('GET', '/api/users/invitations')).items
      : await withContext(async (ctx) => (await import('./invitations.ts')).listInvitations(ctx))
    if (options.json) return printJson({ items })
    printTable(
      items.map((item) => ({ ...item })),
      ['id', 'email', 'role', 'status', 'expiresAt', 'invitedBy'],
    )
  })

  withRemoteOptions(program.command('users:list').description('list accounts')).action(
    async (options: Options) => {
      const users = options.url
        ? (await remoteFor(options)<{ items: UserView[] }>('GET', '/api/users')).items
        : await withContext(async (ctx) => (await service()).listUsers(ctx))
      show(users, options)
    },
  )

  withRemoteOptions(
    program
      .command('users:set-role')
      .description("change someone's role")
      .argument('<id-or-email>')
      .argument('<role>'),
  ).action(async (target: string, newRole: string, options: Options) => {
    const value = role(newRole)
    const user = options.url
      ? await remoteFor(options)<UserView>('PATCH', `/api/users/${await remoteId(options, target)}`, {
          role: value,
        })
      : await withContext(async (ctx) => (await service()).setRole(ctx, target, value, cliActor))
    show([user], options)
  })

  for (const [name, disabled, description] of [
    ['users:disable', true, 'disable an account and end its sessions'],
    ['users:enable', false, 'enable a disabled account'],
  ] as const) {
    withRemoteOptions(program.command(name).description(description).argument('<id-or-email>')).action(
      async (target: string, options: Options) => {
        const user = options.url
          ? await remoteFor(options)<UserView>('PATCH', `/api/users/${await remoteId(options, target)}`, {
              disabled,
            })
          : await withContext(async (ctx) => (await service()).setDisabled(ctx, target, disabled, cliActor))
        show([user], options)
      },
    )
  }

  withRemoteOptions(
    program.command('users:unlock').description('lift a sign-in lockout').argument('<id-or-email>'),
  ).action(async (target: string, options: Options) => {
    const user = options.url
      ? await remoteFor(options)<UserView>('POST', `/api/users/${await remoteId(options, target)}/unlock`)
      : await withContext(async (ctx) => (await service()).unlockUser(ctx, target, cliActor))
    show([user], options)
  })

  withRemoteOptions(
    program
      .command('users:reset-password')
      .description('set a new password (generated and printed once unless --password) and end their sessions')
      .argument('<id-or-email>')
      .option('--password <password>', '12+ characters'),
  ).action(async (target: string, options: Options & { password?: string }) => {
    const password = options.password ?? randomBytes(15).toString('base64url')
    const user = options.url
      ? await remoteFor(options)<UserView>('POST', `/api/users/${await remoteId(options, target)}/password`, {
          password,
        })
      : await withContext(async (ctx) => (await service()).resetPassword(ctx, target, password, cliActor))
    if (options.json) return printJson({ user, ...(options.password ? {} : { password }) })
    console.log(`New password set for ${user.email}; their sessions have ended.`)
    if (!options.password) console.log(`Password (shown this once): ${password}`)
  })
}
