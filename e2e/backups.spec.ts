import { expect, type Locator, type Page, test } from '@playwright/test'
import { createAccount } from './accounts.ts'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Backup {
  id: string
  status: string
  verifyState: 'unverified' | 'good' | 'corrupt'
}
interface Check {
  name: string
  ok: boolean
  detail: string
}
interface Drill {
  id: string
  outcome: 'passed' | 'failed'
  rtoSeconds: number | null
  rpoSeconds: number | null
  rtoMet: boolean | null
  rpoMet: boolean | null
  report: { integrity?: { tables: { ok: boolean }[] }; queries?: Check[] }
}
interface Drills {
  items: Drill[]
  objectives: { rtoSeconds: number; rpoSeconds: number }
  newestVerifiedBackupAgeSeconds: number | null
}
interface Maintenance {
  runs: { id: string; job: string; outcome: string }[]
  bloat: { table: string; advice: string[] }[]
}

/** A length of time as the page writes it (en-GB): "340 ms", "2.4 s", "12 min", "3 h", "2 d". */
function duration(seconds: number): string {
  const n = (v: number, digits: number) =>
    new Intl.NumberFormat('en-GB', { maximumFractionDigits: digits }).format(v)
  const figure = (v: number) => n(v, v < 10 ? 1 : 0)
  if (seconds < 1) return `${n(seconds * 1000, 0)} ms`
  if (seconds < 60) return `${figure(seconds)} s`
  if (seconds < 3600) return `${figure(seconds / 60)} min`
  if (seconds < 86_400) return `${figure(seconds / 3600)} h`
  return `${figure(seconds / 86_400)} d`
}

const metText = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'missed')

/** A measured figure beside its objective, both with their exact seconds in <data value>. */
async function expectObjective(
  block: Locator,
  measured: number | null,
  objective: number,
  met: boolean | null,
) {
  const figures = block.locator('data')
  if (measured === null) {
    await expect(block).toContainText('measured nothing')
    await expect(figures).toHaveCount(1)
  } else {
    await expect(figures).toHaveCount(2)
    await expect(figures.first()).toHaveAttribute('value', String(measured))
    await expect(figures.first()).toHaveText(duration(measured))
  }
  await expect(figures.last()).toHaveAttribute('value', String(objective))
  await expect(figures.last()).toHaveText(duration(objective))
  await expect(block).toContainText(metText(met))
}

async function openOps(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Ops' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible()
}

test('backups: an admin backs up, verifies, runs a drill and reads its report; maintenance matches the API', async ({
  page,
}) => {
  // The drill restores a whole backup: some 20 s on the embedded database of a busy machine.
  test.setTimeout(120_000)
  await signIn(page, admin.email, admin.password)
  await openOps(page)
  const panel = page.getByRole('region', { name: 'Backups and recovery' })
  const table = panel.getByRole('table', { name: 'Backups' })

  // Back up now: the new backup is listed, not yet verified.
  await panel.getByRole('button', { name: 'Back up now' }).click()
  await expect(panel.getByText('The backup is taken.')).toBeVisible({ timeout: 30_000 })
  const newest = (await apiCall<{ items: Backup[] }>(page, 'GET', '/api/backups?limit=1')).body.items[0]!
  expect(newest.status).toBe('complete')
  const row = table.locator('tbody tr').filter({ hasText: newest.id })
  await expect(row.locator('[data-verify="unverified"]')).toContainText('Unverified')

  // Verify: marked good in the table and in the report, as the API now holds it.
  await row.getByRole('button', { name: `Verify ${newest.id}` }).click()
  await expect(row.locator('[data-verify="good"]')).toContainText('Good')
  await expect(panel.locator(`[data-verify-report="${newest.id}"]`)).toContainText('Good')
  const verified = (await apiCall<{ items: Backup[] }>(page, 'GET', '/api/backups?limit=1')).body.items[0]!
  expect(verified).toMatchObject({ id: newest.id, verifyState: 'good' })

  // Run drill: the report shows the API's last drill against its objectives.
  await panel.getByRole('button', { name: 'Run drill' }).click()
  await expect(panel.getByText('The drill has run: its report is below.')).toBeVisible({ timeout: 45_000 })
  const drills = (await apiCall<Drills>(page, 'GET', '/api/backups/drills?limit=1')).body
  const drill = drills.items[0]!
  const report = panel.locator(`[data-drill="${drill.id}"]`)
  await expect(report).toContainText(drill.outcome)
  await expectObjective(
    report.locator('[data-objective="rto"]'),
    drill.rtoSeconds,
    drills.objectives.rtoSeconds,
    drill.rtoMet,
  )
  await expectObjective(
    report.locator('[data-objective="rpo"]'),
    drill.rpoSeconds,
    drills.objectives.rpoSeconds,
    drill.rpoMet,
  )
  const tables = drill.report.integrity?.tables
  if (tables) {
    const mismatches = tables.filter((t) => !t.ok).length
    await expect(report.locator('[data-integrity]')).toHaveText(
      `${tables.length} tables checked, ${mismatches} ${mismatches === 1 ? 'mismatch' : 'mismatches'}`,
    )
  }
  const queries = drill.report.queries ?? []
  const listed = report.getByRole('list', { name: 'Critical queries' }).getByRole('listitem')
  await expect(listed).toHaveCount(queries.length)
  for (const [i, q] of queries.entries()) {
    await expect(listed.nth(i)).toContainText(q.name)
    await expect(listed.nth(i)).toContainText(q.ok ? 'ok' : 'failed')
  }
  // The newest verified backup's age against the RPO objective.
  expect(drills.newestVerifiedBackupAgeSeconds).not.toBeNull()
  const freshness = panel.locator('[data-freshness]')
  await expect(freshness.locator('data').last()).toHaveAttribute(
    'value',
    String(drills.objectives.rpoSeconds),
  )
  await expect(freshness).toContainText(
    drills.newestVerifiedBackupAgeSeconds! <= drills.objectives.rpoSeconds
      ? 'within objective'
      : 'older than objective',
  )

  // Database maintenance: compared with the page's latest answer from the API. No API runs a job
  // on demand, the bloat figures move with the demo's traffic, and the page refetches them every
  // few seconds, so the comparison is retried against whichever answer the page last received.
  let latest: Maintenance | undefined
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/ops/database/maintenance' && r.ok())
      void r.json().then((body: Maintenance) => {
        latest = body
      })
  })
  await page.reload()
  const maintenance = page.getByRole('region', { name: 'Database maintenance' })
  await expect(async () => {
    expect(latest, 'the page has fetched /api/ops/database/maintenance').toBeDefined()
    const { runs, bloat } = latest!
    if (runs.length === 0)
      expect(await maintenance.getByText('No maintenance job has run yet.').count()).toBe(1)
    else {
      const rows = maintenance.getByRole('table', { name: 'Maintenance runs' }).locator('tbody tr')
      const texts = await rows.allTextContents()
      expect(texts).toHaveLength(runs.length)
      for (const [i, run] of runs.entries()) {
        expect(texts[i]).toContain(run.job)
        expect(await rows.nth(i).locator(`[data-outcome="${run.outcome}"]`).count()).toBe(1)
      }
    }
    const advised = bloat.filter((t) => t.advice.length > 0)
    if (advised.length === 0) expect(await maintenance.getByText(/^No advice/).count()).toBe(1)
    else {
      expect(await maintenance.locator('[data-advised]').getAttribute('data-advised')).toBe(
        String(advised.length),
      )
      const show = maintenance.getByRole('button', { name: /^Show all / })
      if (await show.isVisible()) await show.click()
      const texts = await maintenance
        .getByRole('table', { name: 'Bloat advice' })
        .locator('tbody tr')
        .allTextContents()
      expect(texts).toHaveLength(advised.length)
      for (const [i, table] of advised.entries()) {
        expect(texts[i]).toContain(table.table)
        for (const statement of table.advice) expect(texts[i]).toContain(statement)
      }
    }
  }).toPass({ timeout: 20_000 })

  await expect(page.locator('[data-loading]')).toHaveCount(0)
  await expectAccessible(page)
  await keepScreenshot(page, 'ops-backups')
  await page.getByRole('button', { name: 'Switch to dark theme' }).click()
  await expect(page.locator('html')).toHaveClass(/\bdark\b/)
  await expectAccessible(page)
  await keepScreenshot(page, 'ops-backups-dark')
})

test('backups: viewers and operators see neither the backups nor the maintenance section', async ({
  page,
  browser,
}) => {
  await signIn(page, admin.email, admin.password)
  for (const role of ['viewer', 'operator']) {
    const account = await createAccount(page, role, `backups-${role}`)
    const context = await browser.newContext()
    const other = await context.newPage()
    try {
      await signIn(other, account.email, account.password)
      await openOps(other)
      await expect(other.getByRole('heading', { level: 2, name: 'Deployments' })).toBeVisible()
      await expect(other.locator('[data-loading]')).toHaveCount(0)
      await expect(other.getByRole('heading', { name: 'Backups and recovery' })).toHaveCount(0)
      await expect(other.getByRole('heading', { name: 'Database maintenance' })).toHaveCount(0)
      await expect(other.getByRole('button', { name: /^(Back up now|Run drill|Verify )/ })).toHaveCount(0)
    } finally {
      await context.close()
    }
  }
})
