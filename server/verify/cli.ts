import { type Command, CommanderError } from 'commander'
import { CliError, printJson } from '../cli/output.ts'
import { formatReport, type VerifyReport } from './checks.ts'
import { type Credentials, criticalPath } from './critical-path.ts'
import { verifyProduction } from './production.ts'
import { parseTimeout, resolveTarget, USAGE_EXIT_CODE } from './target.ts'

interface CommonOptions {
  url?: string
  timeout: string
  json?: boolean
}

/**
 * `sentia verify:production` and `sentia test:critical-path`: checks of a running instance over
 * HTTP only (no database), for the runbook's deploy and hotfix steps. Exit 0 when every check
 * passed, 1 when one failed, 2 when the command cannot start (no target, no credentials, a bad
 * option).
 */
export function registerVerifyCommands(program: Command): void {
  withCommonOptions(program.command('verify:production'))
    .description(
      'smoke-check a running instance after a deploy: /health (every component ok), /health/ready, the main reads with an API key, and the same reads refused without one',
    )
    .option('--api-key <key>', 'a viewer (or higher) API key for the reads (default: $SENTIA_API_KEY)')
    .action(async (options: CommonOptions & { apiKey?: string }) => {
      const target = resolveTarget(options.url)
      const timeoutMs = parseTimeout(options.timeout)
      const apiKey = options.apiKey ?? nonEmpty(process.env.SENTIA_API_KEY)
      finish(await verifyProduction({ target, apiKey, timeoutMs }), options.json)
    })

  withCommonOptions(program.command('test:critical-path'))
    .description(
      'the business critical path on a running instance: sign in, book an order (Idempotency-Key), see it listed, in the KPI and reserving stock, cancel it, see the stock released. Leaves one cancelled order with external id critical-path-…',
    )
    .option(
      '--email <email>',
      'sign in as this person, operator or higher (default: $SENTIA_EMAIL); password from $SENTIA_PASSWORD',
    )
    .option('--api-key <key>', 'act with an operator (or higher) API key instead (default: $SENTIA_API_KEY)')
    .option('--sku <sku>', 'order this product (default: the first active one with stock)')
    .option('--channel <code>', 'through this sales channel (default: the first that sells it)')
    .option('--quantity <n>', 'units to order', '1')
    .action(
      async (
        options: CommonOptions & {
          email?: string
          apiKey?: string
          sku?: string
          channel?: string
          quantity: string
        },
      ) => {
        const target = resolveTarget(options.url)
        const timeoutMs = parseTimeout(options.timeout)
        const quantity = Number(options.quantity)
        if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000)
          throw new CliError(
            `--quantity must be a whole number from 1 to 1000, got ${options.quantity}`,
            USAGE_EXIT_CODE,
          )
        const credentials = credentialsFrom(options)
        finish(
          await criticalPath({
            target,
            credentials,
            timeoutMs,
            quantity,
            sku: options.sku,
            channel: options.channel,
          }),
          options.json,
        )
      },
    )
}

function withCommonOptions(command: Command): Command {
  return (
    command
      .option('--url <url>', 'base URL of the instance (default: $BASE_URL, else $PRODUCTION_URL)')
      .option('--timeout <ms>', 'give up on a request after this many milliseconds', '10000')
      .option('--json', 'print the report as JSON')
      // A mistyped option is a usage error like a missing URL: exit 2, not 1 (a failed check).
      .exitOverride((error) => {
        throw error.exitCode === 0 ? error : new CommanderError(USAGE_EXIT_CODE, error.code, error.message)
      })
  )
}

const nonEmpty = (value: string | undefined) => (value?.trim() ? value : undefined)

/**
 * Who the critical path acts as. A flag wins over the environment; from the environment, a
 * person's sign-in (SENTIA_EMAIL with SENTIA_PASSWORD) wins over SENTIA_API_KEY, since signing
 * in is part of the path. The password is never taken from a flag (it would show in `ps`).
 */
export function credentialsFrom(
  options: { email?: string; apiKey?: string },
  env: NodeJS.ProcessEnv = process.env,
): Credentials {
  const email = options.email ?? (options.apiKey ? undefined : nonEmpty(env.SENTIA_EMAIL))
  if (email) {
    const password = nonEmpty(env.SENTIA_PASSWORD)
    if (!password) throw new CliError(`signing in as ${email} needs SENTIA_PASSWORD`, USAGE_EXIT_CODE)
    return { kind: 'password', email, password }
  }
  const apiKey = options.apiKey ?? nonEmpty(env.SENTIA_API_KEY)
  if (apiKey) return { kind: 'apikey', apiKey }
  throw new CliError(
    'no credentials: set SENTIA_EMAIL and SENTIA_PASSWORD (an operator or higher), or SENTIA_API_KEY or --api-key (an operator key)',
    USAGE_EXIT_CODE,
  )
}

function finish(report: VerifyReport, json: boolean | undefined): void {
  if (json) printJson(report)
  else console.log(formatReport(report))
  if (!report.ok)
    throw new CliError(
      `${report.command}: ${report.failed + report.notRun} of ${report.checks.length} checks did not pass`,
      1,
    )
}
