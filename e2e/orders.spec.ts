import { expect, test } from '@playwright/test'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Page {
  items: { id: string; externalId: string | null; status: string; totalBase: number }[]
}

test('orders: the pending filter shows what the API returns, and the drawer shows the lines', async ({
  page,
}) => {
  await signIn(page, admin.email, admin.password)
  await page.getByRole('link', { name: 'Orders' }).click()
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible()
  await page.getByLabel('Status').selectOption('pending')
  const { body } = await apiCall<Page>(page, 'GET', '/api/orders?status=pending&limit=50')
  const rows = page.locator('tbody tr')
  if (body.items.length === 0) {
    await expect(page.getByText('No orders match these filters.')).toBeVisible()
  } else {
    await expect(rows).toHaveCount(body.items.length)
    const first = body.items[0]!
    await expect(rows.first()).toContainText(first.externalId ?? first.id)
    await expect(rows.first()).toContainText('pending')
  }
  await expectAccessible(page)
  await keepScreenshot(page, 'orders')

  await page.getByLabel('Status').selectOption('')
  const all = await apiCall<Page>(page, 'GET', '/api/orders?limit=50')
  const newest = all.body.items[0]!
  await rows.first().getByRole('button').click()
  await expect(page).toHaveURL(new RegExp(`/orders/${newest.id}$`))
  const drawer = page.getByRole('dialog')
  await expect(drawer.getByRole('heading', { name: `Order ${newest.id}` })).toBeVisible()
  await expect(drawer.getByRole('table')).toContainText('SKU')
  await expectAccessible(page)
  await keepScreenshot(page, 'order-drawer')
  await page.keyboard.press('Escape')
  await expect(page).toHaveURL(/\/orders$/)
})

test('a client route loads the app directly', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.goto('/orders')
  await expect(page.getByRole('heading', { name: 'Orders' })).toBeVisible()
})
