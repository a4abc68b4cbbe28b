import { Command, CommanderError } from 'commander'
import { registerDbCommands } from './cli/db.ts'
import { CliError } from './cli/output.ts'
import { registerServeCommand } from './cli/serve.ts'
import { registerStatusCommand } from './cli/status.ts'
import { ConfigError } from './config.ts'
import { registerAlertCommands } from './modules/alerting/cli.ts'
import { registerApiKeyCommands } from './modules/apikeys/cli.ts'
import { registerUserCommands } from './modules/auth/cli.ts'
import { registerBackupCommands } from './modules/backups/cli.ts'
import { registerConnectorCommands } from './modules/connectors/cli.ts'
import { registerDbMaintenanceCommands } from './modules/dbmaintenance/cli.ts'
import { registerDemoCommands } from './modules/demo/cli.ts'
import { registerDeploymentCommands } from './modules/deployments/cli.ts'
import { registerErrorCommands } from './modules/errors/cli.ts'
import { registerImportCommands } from './modules/imports/cli.ts'
import { registerIncidentCommands } from './modules/incidents/cli.ts'
import { registerMaintenanceCommands } from './modules/maintenance/cli.ts'
import { registerMetricsCommands } from './modules/monitoring/cli.ts'
import { registerNotificationCommands } from './modules/notifications/cli.ts'
import { registerOncallCommands } from './modules/oncall/cli.ts'
import { registerIpCommands } from './modules/security/cli.ts'
import { LockHeldError } from './platform/db/lockfile.ts'
import { MigrationError } from './platform/db/migration-error.ts'
import { registerVerifyCommands } from './verify/cli.ts'

/** The `sentia` CLI: `noun:verb` commands, each with --help; non-zero exit on failure. */
const program = new Command()
  .name('sentia')
  .description('Sentia Manufacturing Dashboard')
  .showHelpAfterError()
  .exitOverride()

registerServeCommand(program)
registerStatusCommand(program)
registerDbCommands(program)
registerDbMaintenanceCommands(program)
registerApiKeyCommands(program)
registerIpCommands(program)
registerUserCommands(program)
registerDemoCommands(program)
registerConnectorCommands(program)
registerImportCommands(program)
registerMetricsCommands(program)
registerNotificationCommands(program)
registerMaintenanceCommands(program)
registerErrorCommands(program)
registerOncallCommands(program)
registerAlertCommands(program)
registerDeploymentCommands(program)
registerIncidentCommands(program)
registerBackupCommands(program)
registerVerifyCommands(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  process.exitCode = exitCodeFor(error)
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode // commander printed the message already
  if (error instanceof ConfigError) {
    console.error(`Invalid configuration: ${error.message}`)
    return 1
  }
  if (error instanceof LockHeldError || error instanceof MigrationError || error instanceof CliError) {
    console.error(`sentia: ${error.message}`)
    return error instanceof CliError ? error.exitCode : 1
  }
  console.error(`sentia: ${error instanceof Error ? error.message : String(error)}`)
  if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) console.error(error.stack)
  return 1
}
