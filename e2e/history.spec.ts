import { expect, test } from '@playwright/test'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface History {
  source: string
  items: {
    kind: string
    from: string | null
    to: string
    actor: { type: string; name: string | null } | null
    reason: string | null
  }[]
}

test('order history: a status change made through the API shows in the drawer', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  const created = await apiCall<{ id: string }>(page, 'POST', '/api/orders', {
    channel: 'shopify-uk',
    lines: [{ sku: 'GABA-RED', quantity: 1 }],
  })
  expect(created.status).toBe(201)
  const id = created.body.id
  const url = `/api/orders/${id}`
  expect((await apiCall(page, 'PATCH', url, { status: 'paid' })).status).toBe(200)
  const reason = 'customer asked to cancel by phone'
  expect((await apiCall(page, 'PATCH', url, { status: 'cancelled', reason })).status).toBe(200)
  const { body } = await apiCall<History>(page, 'GET', `${url}/history`)
  expect(body.items.map((e) => e.to)).toEqual(['pending', 'paid', 'cancelled'])

  await page.goto(`/orders/${id}`)
  const drawer = page.getByRole('dialog')
  const history = drawer.getByRole('region', { name: 'History' })
  const entries = history.getByRole('listitem')
  await expect(entries).toHaveCount(body.items.length)
  await expect(entries.nth(0)).toContainText('Placed')
  await expect(entries.nth(0)).toContainText(`via ${body.source}`)
  const last = body.items.at(-1)!
  await expect(entries.nth(2)).toContainText('paid')
  await expect(entries.nth(2)).toContainText('cancelled')
  await expect(entries.nth(2)).toContainText(`by ${last.actor!.name}`)
  await expect(entries.nth(2)).toContainText(reason)
  await expectAccessible(page)
  await keepScreenshot(page, 'order-history')
})
