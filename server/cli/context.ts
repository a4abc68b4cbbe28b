import type { Command } from 'commander'
import { loadConfig } from '../config.ts'
import type { AppContext } from '../context.ts'
import { createLogger } from '../platform/observability/logger.ts'
import { CliError } from './output.ts'

/**
 * Runs a command against the local database with a full (not started) app context, so it
 * calls the same services as the HTTP API. On the embedded engine this takes DATA_DIR's lock.
 */
export async function withContext<T>(work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const logger = createLogger({ ...config, logLevel: 'warn' })
  const { createContext, closeContext } = await import('../context.ts')
  const ctx = await createContext({ config, logger, role: 'worker' })
  try {
    return await work(ctx)
  } finally {
    await closeContext(ctx, 5000)
  }
}

/** A running instance's API, for commands given `--url`. */
export function remote(url: string, apiKey: string | undefined) {
  if (!apiKey) throw new CliError('--url needs an admin API key: pass --api-key or set SENTIA_API_KEY')
  return async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response
    try {
      response = await fetch(new URL(path, url), {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      })
    } catch (error) {
      const cause = (error as Error & { cause?: Error }).cause?.message ?? (error as Error).message
      throw new CliError(`cannot reach ${url}: ${cause}`)
    }
    const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null
    if (!response.ok) {
      throw new CliError(
        `${method} ${path} failed (HTTP ${response.status}): ${payload?.error?.message ?? 'no details'}`,
      )
    }
    return payload as T
  }
}

/** Options of commands that work on the local database or, with --url, on a running instance. */
export interface RemoteOptions {
  url?: string
  apiKey?: string
  json?: boolean
}

/** Adds --url, --api-key and --json to a command. */
export function withRemoteOptions(command: Command): Command {
  return command
    .option('--url <url>', 'act on a running instance at this URL instead of the local database')
    .option('--api-key <key>', 'admin API key for --url (default: $SENTIA_API_KEY)')
    .option('--json', 'print the result as JSON')
}

/** The API client for a command given --url. */
export const remoteFor = (options: RemoteOptions) =>
  remote(options.url!, options.apiKey ?? process.env.SENTIA_API_KEY)

/** Who local CLI changes are recorded as in the audit log. */
export const cliActor = { type: 'system', id: 'cli' } as const
