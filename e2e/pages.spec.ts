import { expect, test } from '@playwright/test'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

test('inventory: critical items and levels match the API', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.getByRole('link', { name: 'Inventory' }).click()
  const critical = await apiCall<{ items: { sku: string; location: string }[] }>(
    page,
    'GET',
    '/api/inventory/critical',
  )
  const criticalTable = page.getByRole('table', { name: 'Critical items' })
  if (critical.body.items.length === 0) await expect(page.getByText('Nothing is critical.')).toBeVisible()
  else await expect(criticalTable.locator('tbody tr')).toHaveCount(critical.body.items.length)
  const levels = await apiCall<{ items: { sku: string; onHand: number }[] }>(
    page,
    'GET',
    '/api/inventory/levels?limit=500',
  )
  await expect(page.getByRole('table', { name: 'Stock levels' }).locator('tbody tr')).toHaveCount(
    levels.body.items.length,
  )
  await expectAccessible(page)
  await keepScreenshot(page, 'inventory')
})

test('production: OEE per line and the batches match the API', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.getByRole('link', { name: 'Production' }).click()
  const report = await apiCall<{ lines: { line: string }[] }>(page, 'GET', '/api/production/oee?by=line')
  for (const line of report.body.lines) await expect(page.getByText(`${line.line}: OEE`)).toBeVisible()
  const batches = await apiCall<{ items: { lot: string }[] }>(
    page,
    'GET',
    '/api/production/batches?limit=100',
  )
  const rows = page.getByRole('table', { name: 'Production batches' }).locator('tbody tr')
  await expect(rows).toHaveCount(batches.body.items.length)
  await expect(rows.first()).toContainText(batches.body.items[0]!.lot)
  await expectAccessible(page)
  await keepScreenshot(page, 'production')
})
