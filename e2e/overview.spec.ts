import { expect, test } from '@playwright/test'
import { uniqueEmail } from './accounts.ts'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Overview {
  currency: string
  revenue: { last30Days: { revenue: number; orders: number; revenueChange: number | null } }
  units30Days: number
  criticalItems: number
}

const gbp = (value: number) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' }).format(value)
const count = (value: number) => new Intl.NumberFormat('en-GB').format(value)
const card = (page: import('@playwright/test').Page, label: string) =>
  page.locator('section').filter({ has: page.getByRole('heading', { name: label, exact: true }) })

test('the sign-in page is accessible', async ({ page }) => {
  await page.goto('/')
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  await expectAccessible(page)
  await keepScreenshot(page, 'sign-in')
})

test('a wrong password is refused with a message', async ({ page }) => {
  await page.goto('/')
  // An address with no account: the answer is the same as for a wrong password, and repeated
  // runs against staging never lock the admin's account.
  await page.getByLabel('Email').fill(uniqueEmail('wrong-password'))
  await page.getByLabel('Password').fill('not-the-password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0)
})

test('the overview shows the figures the API returns, and signs out', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  const { body } = await apiCall<Overview>(page, 'GET', '/api/kpis/overview')
  expect(body.revenue.last30Days.orders).toBeGreaterThan(1000)
  await expect(card(page, 'Orders, 30 days')).toContainText(count(body.revenue.last30Days.orders))
  await expect(card(page, 'Revenue, 30 days')).toContainText(gbp(body.revenue.last30Days.revenue))
  expect(body.revenue.last30Days.revenueChange).not.toBeNull()
  await expect(card(page, 'Revenue, 30 days')).toContainText('vs prior 30 days')
  await expect(card(page, 'Units sold, 30 days')).toContainText(count(body.units30Days))
  await expect(card(page, 'Critical stock items')).toContainText(count(body.criticalItems))
  await expect(page.locator('canvas').first()).toBeVisible()
  await expectAccessible(page)
  await keepScreenshot(page, 'overview')

  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
  expect((await apiCall(page, 'GET', '/api/me')).status).toBe(401)
})

test('an order created through the API appears on the overview without a reload', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  const before = await apiCall<Overview>(page, 'GET', '/api/kpis/overview')
  await expect(card(page, 'Orders, 30 days')).toContainText(count(before.body.revenue.last30Days.orders))
  const key = await apiCall<{ key: string; apiKey: { id: string } }>(page, 'POST', '/api/api-keys', {
    name: 'e2e-orders',
    role: 'operator',
  })
  expect(key.status).toBe(201)
  const channels = await apiCall<{ items: { code: string }[] }>(page, 'GET', '/api/channels')
  const products = await apiCall<{ items: { sku: string; kind: string }[] }>(
    page,
    'GET',
    '/api/products?kind=finished',
  )
  const created = await page.request.post('/api/orders', {
    headers: { authorization: `Bearer ${key.body.key}`, 'idempotency-key': `e2e-${Date.now()}` },
    data: {
      channel: channels.body.items[0]!.code,
      lines: [{ sku: products.body.items[0]!.sku, quantity: 2 }],
    },
  })
  expect(created.status()).toBe(201)
  await expect(card(page, 'Orders, 30 days')).toContainText(count(before.body.revenue.last30Days.orders + 1))
  // The key is not left working on the instance (staging keeps its data between runs).
  expect((await apiCall(page, 'DELETE', `/api/api-keys/${key.body.apiKey.id}`)).status).toBe(200)
})

test('a viewer gets 403 from admin APIs', async ({ page, browser }) => {
  await signIn(page, admin.email, admin.password)
  const viewer = { email: `viewer-${Date.now()}@example.com`, password: 'viewer-password-1234' }
  const made = await apiCall(page, 'POST', '/api/users', { ...viewer, name: 'E2E Viewer', role: 'viewer' })
  expect(made.status).toBe(201)
  const context = await browser.newContext()
  const viewerPage = await context.newPage()
  await signIn(viewerPage, viewer.email, viewer.password)
  await expect(viewerPage.getByText('· viewer')).toBeVisible()
  expect((await apiCall(viewerPage, 'GET', '/api/users')).status).toBe(403)
  expect((await apiCall(viewerPage, 'GET', '/api/audit-logs')).status).toBe(403)
  await context.close()
})
