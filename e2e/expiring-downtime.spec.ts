import { expect, test } from '@playwright/test'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

const count = (value: number) => new Intl.NumberFormat('en-GB').format(value)

interface Expiring {
  items: { sku: string; location: string; lot: string; quantity: number }[]
}

test('inventory: a short-dated receipt shows among the expiring lots, which match the API', async ({
  page,
}) => {
  await signIn(page, admin.email, admin.password)
  // The demo's lots keep 18 months, so a lot close to its expiry is received here.
  const lot = `E2E-${Date.now()}`
  const expiresOn = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10)
  const receipt = await apiCall(page, 'POST', '/api/stock-movements', {
    kind: 'receipt',
    sku: 'GABA-RED',
    location: 'UK-WH',
    quantity: 24,
    lot,
    expiresOn,
  })
  expect(receipt.status).toBe(201)
  await page.getByRole('link', { name: 'Inventory' }).click()
  const table = page.getByRole('table', { name: 'Expiring lots' })
  for (const days of [30, 365]) {
    await page.getByLabel('Expiring within').selectOption(String(days))
    const { body } = await apiCall<Expiring>(page, 'GET', `/api/inventory/expiring?days=${days}`)
    expect(body.items).toContainEqual(expect.objectContaining({ lot, location: 'UK-WH', quantity: 24 }))
    const rows = table.locator('tbody tr')
    await expect(rows).toHaveCount(body.items.length)
    for (const [index, item] of body.items.slice(0, 5).entries()) {
      await expect(rows.nth(index)).toContainText(item.lot)
      await expect(rows.nth(index)).toContainText(item.location)
      await expect(rows.nth(index).locator('td').last()).toHaveText(count(item.quantity))
    }
    await expect(table.getByRole('row', { name: new RegExp(lot) })).toContainText('10 d')
  }
  await expectAccessible(page)
  await keepScreenshot(page, 'inventory-expiring')
})

interface Downtime {
  minutes: number
  reasons: { reason: string; minutes: number; occurrences: number }[]
}

test('production: the downtime reasons match the API for the same window', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  const answered = page.waitForResponse((r) => r.url().includes('/api/production/downtime?'))
  await page.getByRole('link', { name: 'Production' }).click()
  const requested = new URL((await answered).url())
  const { body } = await apiCall<Downtime>(page, 'GET', `${requested.pathname}${requested.search}`)
  const table = page.getByRole('table', { name: 'Downtime reasons' })
  if (body.reasons.length === 0) {
    await expect(page.getByText('No downtime recorded in the last 30 days.')).toBeVisible()
  } else {
    const rows = table.locator('tbody tr')
    await expect(rows).toHaveCount(body.reasons.length)
    for (const [index, reason] of body.reasons.entries()) {
      const cells = rows.nth(index).locator('td')
      await expect(cells.nth(0)).toHaveText(reason.reason)
      await expect(cells.nth(1)).toHaveText(count(reason.minutes))
      await expect(cells.nth(3)).toHaveText(count(reason.occurrences))
    }
    await expect(page.getByText(`${count(body.minutes)} minutes in`)).toBeVisible()
  }
  await expectAccessible(page)
  await keepScreenshot(page, 'production-downtime')
})
