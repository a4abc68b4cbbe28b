import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { beforeAll, expect, it } from 'vitest'
import { describeEmbeddedCli } from '../../../test/instance.ts'

/** `sentia import:csv` as a user runs it: a real process on a temporary DATA_DIR (embedded engine). */

const bin = path.resolve('bin/sentia.js')

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describeEmbeddedCli('sentia import:csv', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-import-'))
  const env = { DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', DEMO_DATA: 'false' }
  const file = path.join(dir, 'orders.csv')
  const bad = path.join(dir, 'bad.csv')
  const placedAt = new Date(Date.now() - 86_400_000).toISOString()

  beforeAll(async () => {
    // the demo catalog and FX rates for the last days
    const seeded = await run(['db:seed', '--demo', '--days', '2'], env)
    expect(seeded.code, seeded.stderr).toBe(0)
    writeFileSync(
      file,
      [
        'external_id,channel,placed_at,sku,quantity',
        `CLI-1,shopify-uk,${placedAt},GABA-RED,2`,
        `CLI-1,shopify-uk,${placedAt},GABA-GOLD,1`,
        `CLI-2,amazon-usa,${placedAt},GABA-BLACK,1`,
      ].join('\n'),
    )
  })

  it('previews, then imports with a readable report', async () => {
    const dry = await run(['import:csv', '--type', 'orders', file, '--dry-run', '--json'], env)
    expect(dry.code, dry.stderr).toBe(0)
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, rows: 3, created: 2, id: null })

    const real = await run(['import:csv', '--type', 'orders', file], env)
    expect(real.code, real.stderr).toBe(0)
    expect(real.stdout).toContain('Import of orders from orders.csv: succeeded.')
    expect(real.stdout).toMatch(/created\s+2 orders/)
    // not a terminal: no progress bar drawn
    expect(real.stderr).toBe('')
  })

  it('skips what was imported and exits 2 when rows fail', async () => {
    const again = await run(['import:csv', '--type', 'orders', file, '--json'], env)
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, skipped: 2 })

    writeFileSync(
      bad,
      `external_id,channel,placed_at,sku,quantity\nCLI-3,shopify-uk,${placedAt},GABA-RED,many\n`,
    )
    const refused = await run(['import:csv', '--type', 'orders', bad], env)
    expect(refused.code).toBe(2)
    expect(refused.stdout).toContain('row 2, quantity: quantity: "many" is not a whole number')
    expect(refused.stderr).toContain('1 error(s); 1 row(s) not imported')
  })

  it('exits 1 for a file it cannot read and for an unknown type', async () => {
    writeFileSync(bad, 'external_id,sku\nCLI-4,GABA-RED\n')
    const columns = await run(['import:csv', '--type', 'orders', bad], env)
    expect(columns.code).toBe(1)
    expect(columns.stderr).toContain('Missing required column channel')

    const type = await run(['import:csv', '--type', 'customers', bad], env)
    expect(type.code).toBe(1)
    expect(type.stderr).toContain('--type must be one of orders, products, stock, sessions')
  })
})
