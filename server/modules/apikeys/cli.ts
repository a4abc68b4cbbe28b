import type { Command } from 'commander'
import { cliActor, type RemoteOptions, remoteFor, withContext, withRemoteOptions } from '../../cli/context.ts'
import { CliError, printJson, printTable } from '../../cli/output.ts'
import { isRole, ROLES, type UserRole } from '../../platform/http/access.ts'
import type { ApiKeyView, IssuedKey } from './service.ts'

const service = () => import('./service.ts')

type Options = RemoteOptions

function printIssued(issued: IssuedKey, options: Options, verb: string): void {
  if (options.json) {
    printJson(issued)
    return
  }
  console.log(`${verb} API key ${issued.apiKey.id} (${issued.apiKey.name}, role ${issued.apiKey.role}).`)
  console.log('The key is shown this once; store it now:')
  console.log(issued.key)
}

export function registerApiKeyCommands(program: Command): void {
  withRemoteOptions(
    program
      .command('apikey:create')
      .description('create an API key for a machine; prints the key once')
      .requiredOption('--name <name>', 'what the key is for')
      .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`),
  ).action(async (options: Options & { name: string; role: string }) => {
    if (!isRole(options.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`)
    const input = { name: options.name, role: options.role as UserRole }
    const issued = options.url
      ? await remoteFor(options)<IssuedKey>('POST', '/api/api-keys', input)
      : await withContext(async (ctx) => (await service()).createApiKey(ctx, input, cliActor))
    printIssued(issued, options, 'Created')
  })

  withRemoteOptions(
    program
      .command('apikey:list')
      .description('list API keys (never the keys themselves)')
      .option('--all', 'include revoked and expired keys'),
  ).action(async (options: Options & { all?: boolean }) => {
    const items = options.url
      ? (
          await remoteFor(options)<{ items: ApiKeyView[] }>(
            'GET',
            `/api/api-keys?includeInactive=${Boolean(options.all)}`,
          )
        ).items
      : await withContext(async (ctx) => (await service()).listApiKeys(ctx, { includeInactive: options.all }))
    if (options.json) return printJson({ items })
    printTable(
      items.map((k) => ({ ...k, lastUsedAt: k.lastUsedAt ?? 'never', expiresAt: k.expiresAt ?? '' })),
      ['id', 'name', 'role', 'prefix', 'state', 'createdAt', 'lastUsedAt', 'expiresAt'],
    )
  })

  withRemoteOptions(
    program.command('apikey:revoke').description('revoke an API key at once').argument('<id>'),
  ).action(async (id: string, options: Options) => {
    const revoked = options.url
      ? await remoteFor(options)<ApiKeyView>('DELETE', `/api/api-keys/${encodeURIComponent(id)}`)
      : await withContext(async (ctx) => (await service()).revokeApiKey(ctx, id, cliActor))
    if (options.json) return printJson(revoked)
    console.log(`Revoked API key ${revoked.id} (${revoked.name}).`)
  })

  withRemoteOptions(
    program
      .command('apikey:rotate')
      .description('issue a replacement key; the old one keeps working for the overlap period')
      .argument('<id>')
      .option(
        '--overlap-hours <hours>',
        'how long the old key keeps working (default APIKEY_ROTATION_OVERLAP_HOURS)',
      ),
  ).action(async (id: string, options: Options & { overlapHours?: string }) => {
    const overlapHours = options.overlapHours === undefined ? undefined : Number(options.overlapHours)
    if (overlapHours !== undefined && !(Number.isInteger(overlapHours) && overlapHours >= 0)) {
      throw new CliError('--overlap-hours must be a whole number of hours')
    }
    const rotated = options.url
      ? await remoteFor(options)<IssuedKey & { previous: ApiKeyView }>(
          'POST',
          `/api/api-keys/${encodeURIComponent(id)}/rotate`,
          overlapHours === undefined ? {} : { overlapHours },
        )
      : await withContext(async (ctx) => (await service()).rotateApiKey(ctx, id, cliActor, { overlapHours }))
    printIssued(rotated, options, 'Rotated: new')
    if (!options.json) console.log(`The old key stops working at ${rotated.previous.expiresAt}.`)
  })
}
