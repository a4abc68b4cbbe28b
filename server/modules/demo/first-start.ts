import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../../config.ts'
import type { Logger } from '../../platform/observability/logger.ts'
import { demoWanted, type SeedReport } from './seed.ts'

/**
 * On the first start of the embedded engine (no cluster in DATA_DIR yet) with the demo year
 * wanted, a child process (`sentia db:seed --demo`) creates the cluster, migrates it and loads
 * the year before this process opens it. Both grow PGlite's WebAssembly memory, which never
 * shrinks; the child's memory goes when it exits, so the server starts as small as on any later
 * start (idle RSS: bench/README.md). Returns false when there was nothing to do.
 */
export async function seedFreshCluster(config: Config, logger: Logger): Promise<boolean> {
  if (config.database.engine !== 'pglite' || !demoWanted(config)) return false
  if (existsSync(path.join(config.dataDir, 'pg', 'PG_VERSION'))) return false
  logger.info('first start: creating the database and loading a year of demo business data')
  // The same program as this one (the build, or the sources through tsx's loader in execArgv).
  const args = [...process.execArgv, process.argv[1]!, 'db:seed', '--demo', '--json']
  const child = spawn(process.execPath, args, {
    env: { ...process.env, DATA_DIR: config.dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk))
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk).slice(-4000)))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0)
    throw new Error(`Loading the demo data failed (exit code ${code}): ${stderr.trim() || stdout.trim()}`)
  // The report is the last thing printed (`--json`, indented); a warning may come before it.
  const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n{\n') + 1)) as SeedReport
  logger.info({ demo: report }, 'loaded a year of demo business data')
  return true
}
