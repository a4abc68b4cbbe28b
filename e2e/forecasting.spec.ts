import { expect, type Page, test } from '@playwright/test'
import { type Forecast, modelName } from '../web/src/features/forecasting/types.ts'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

const units = (value: number | null) =>
  value === null ? '—' : new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(value)
const pct = (value: number | null | undefined) =>
  value === null || value === undefined
    ? '—'
    : new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(value)
const calendarDay = (day: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  )
/** A KPI card: the block its heading sits in (cards sit inside a titled section of their own). */
const card = (page: Page, label: string) =>
  page.getByRole('heading', { name: label, exact: true }).locator('..')

/** The cards and the table of points show exactly what the API returns for the same query. */
async function expectForecastShown(page: Page, query: string) {
  const { status, body } = await apiCall<Forecast>(page, 'GET', `/api/forecasts?${query}`)
  expect(status).toBe(200)
  expect(body.historyDays).toBeGreaterThan(0)
  expect(body.history).toHaveLength(body.historyDays)
  await expect(card(page, 'Model')).toContainText(modelName(body.model))
  await expect(card(page, 'Accuracy: WAPE')).toContainText(pct(body.backtest?.wape))
  const bias = body.backtest?.bias ?? null
  await expect(card(page, 'Bias')).toContainText(bias === null ? '—' : `${bias > 0 ? '+' : ''}${pct(bias)}`)
  const rows = page.getByRole('table', { name: 'Forecast points' }).locator('tbody tr')
  await expect(rows).toHaveCount(body.points.length)
  for (const [i, point] of body.points.entries())
    await expect(rows.nth(i).locator('td')).toHaveText([
      calendarDay(point.day),
      units(point.value),
      units(point.lower),
      units(point.upper),
    ])
  await expect(
    page.getByRole('img', { name: /Units sold and forecast per day/ }).locator('canvas'),
  ).toBeVisible()
  return body
}

test('forecasting: model, accuracy and points match the API for the product and channel chosen', async ({
  page,
}) => {
  await signIn(page, admin.email, admin.password)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasting' }).click()
  await expect(page.getByRole('heading', { name: 'Forecasting', level: 1 })).toBeVisible()

  // first: the first finished product, all channels, 28 days ahead
  const products = await apiCall<{ items: { sku: string }[] }>(
    page,
    'GET',
    '/api/products?kind=finished&active=true&limit=500',
  )
  const [first, ...others] = products.body.items.map((p) => p.sku)
  expect(first).toBeTruthy()
  await expect(page.getByRole('combobox', { name: /^Product/ })).toHaveValue(first!)
  await expectForecastShown(page, `sku=${first}&horizon=28`)

  // then another product on one channel, 14 days ahead, chosen with the keyboard where it can be
  const sku = others.at(-1) ?? first!
  await page.getByRole('combobox', { name: /^Product/ }).selectOption(sku)
  await page.getByRole('combobox', { name: /^Channel/ }).selectOption('shopify-uk')
  await page.getByLabel('Days ahead').focus()
  await page.keyboard.press('Home')
  await expect(page.getByLabel('Days ahead')).toHaveValue('14')
  const shown = await expectForecastShown(page, `sku=${sku}&channel=shopify-uk&horizon=14`)
  expect(shown.backtest?.horizon).toBe(14)
  await expect(page.getByRole('heading', { name: /Demand: .*Shopify UK/ })).toBeVisible()

  await expectAccessible(page)
  await keepScreenshot(page, 'forecasting')
})

test('forecasting: an unknown product is an error message, not a blank page', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.route('**/api/forecasts?*', (route) =>
    route.continue({
      url: route
        .request()
        .url()
        .replace(/sku=[^&]+/, 'sku=NOPE'),
    }),
  )
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasting' }).click()
  const api = await apiCall<{ error: { message: string } }>(page, 'GET', '/api/forecasts?sku=NOPE')
  expect(api.status).toBe(404)
  await expect(page.getByRole('alert')).toContainText(api.body.error.message)
})
