import type { Command } from 'commander'
import { withContext } from '../../cli/context.ts'
import { CliError, printJson } from '../../cli/output.ts'
import { registerSimulateCommand } from './simulate-cli.ts'

function positiveInt(name: string, value: string, max: number): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new CliError(`${name} must be a whole number from 1 to ${max}`)
  return n
}

export function registerDemoCommands(program: Command): void {
  program
    .command('db:seed')
    .description('load generated demo business data into an empty database')
    .requiredOption('--demo', 'the demo business (the only kind of seed)')
    .option('--days <n>', 'days of history', '365')
    .option('--scale <n>', 'multiply the order volume (benchmarks)', '1')
    .option('--seed <n>', 'random seed: the same seed gives the same data', '1')
    .option('--json', 'print the report as JSON')
    .action(async (options: { days: string; scale: string; seed: string; json?: boolean }) => {
      const days = positiveInt('--days', options.days, 3650)
      const scale = positiveInt('--scale', options.scale, 1000)
      const seed = positiveInt('--seed', options.seed, 2 ** 31 - 1)
      const report = await withContext(async (ctx) => {
        const { seedDemo } = await import('./seed.ts')
        const tty = !options.json && process.stderr.isTTY
        const report = await seedDemo(ctx, { days, scale, seed, now: ctx.clock.now() }, (table, orders) => {
          if (tty) process.stderr.write(`\r${`${orders} orders written (${table})`.padEnd(60)}`)
        })
        if (tty) process.stderr.write('\n')
        return report
      })
      if (options.json) return printJson(report)
      console.log(
        `Loaded ${report.orders} orders (${report.orderLines} lines), ${report.movements} stock movements, ` +
          `${report.batches} production batches and ${report.sessions} hourly session counts in ${(report.ms / 1000).toFixed(1)} s.`,
      )
    })

  program
    .command('db:rebuild')
    .description(
      'recompute stock levels and the sales rollups from the raw rows (stop the server first on the embedded engine)',
    )
    .action(async () => {
      const started = performance.now()
      await withContext(async (ctx) => {
        const { rebuildDerived } = await import('./seed.ts')
        await ctx.db.transaction().execute((tx) => rebuildDerived(tx))
      })
      console.log(
        `Rebuilt stock levels and sales rollups in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
      )
    })

  registerSimulateCommand(program)
}
