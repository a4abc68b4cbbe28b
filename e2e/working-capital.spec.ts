import { expect, type Page, test } from '@playwright/test'
import type {
  OpenItemPage,
  WorkingCapital,
  WorkingCapitalTrend,
} from '../web/src/features/working-capital/types.ts'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

const money = (value: number, currency: string) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency, maximumFractionDigits: 2 }).format(value)
const days = (value: number | null) =>
  value === null ? '—' : `${new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(value)} days`
const count = (value: number) => new Intl.NumberFormat('en-GB').format(value)
/** A KPI card: the block its heading sits in (cards sit inside a titled section of their own). */
const card = (page: Page, label: string) =>
  page.getByRole('heading', { name: label, exact: true }).locator('..')

async function expectCardsShown(page: Page, window: number) {
  const { status, body } = await apiCall<WorkingCapital>(
    page,
    'GET',
    `/api/finance/working-capital?days=${window}`,
  )
  expect(status).toBe(200)
  expect(body.windowDays).toBe(window)
  await expect(card(page, 'Days inventory outstanding (DIO)')).toContainText(days(body.dio))
  await expect(card(page, 'Days sales outstanding (DSO)')).toContainText(days(body.dso))
  await expect(card(page, 'Days payables outstanding (DPO)')).toContainText(days(body.dpo))
  await expect(card(page, 'Cash conversion cycle (CCC)')).toContainText(days(body.ccc))
  if (body.dso !== null)
    await expect(card(page, 'Days sales outstanding (DSO)')).toContainText(money(body.revenue, body.currency))
}

/** The table's rows and the totals line are the API's first page for the same filter. */
async function expectItemsShown(page: Page, kind: 'receivables' | 'payables', status: string) {
  const { body } = await apiCall<OpenItemPage>(page, 'GET', `/api/finance/${kind}?status=${status}&limit=50`)
  await expect(page.getByTestId(`${kind}-totals`)).toHaveText(
    `Open: ${money(body.open.amountBase, body.currency)} in ${count(body.open.count)} · overdue: ${money(body.overdue.amountBase, body.currency)} in ${count(body.overdue.count)}`,
  )
  const title = kind === 'receivables' ? 'Receivables' : 'Payables'
  const rows = page.getByRole('table', { name: title }).locator('tbody tr')
  if (body.items.length === 0) {
    await expect(page.getByRole('table', { name: title })).toHaveCount(0)
    return body
  }
  await expect(rows).toHaveCount(body.items.length)
  for (const [i, item] of body.items.slice(0, 5).entries()) {
    const row = rows.nth(i)
    await expect(row).toContainText(item.reference)
    await expect(row).toContainText(money(item.amount, item.currency))
    await expect(row).toContainText(money(item.amountBase, body.currency))
    await expect(row).toContainText(
      item.daysOverdue === null ? /not due yet|paid/ : `${count(item.daysOverdue)} day`,
    )
  }
  return body
}

test('working capital: the cards, trend, receivables and payables match the API', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Working capital' }).click()
  await expect(page.getByRole('heading', { name: 'Working capital', level: 1 })).toBeVisible()
  await expectCardsShown(page, 90)

  const trend = await apiCall<WorkingCapitalTrend>(
    page,
    'GET',
    '/api/finance/working-capital/trend?days=90&step=7&points=26',
  )
  expect(trend.body.points).toHaveLength(26)
  // the trend's last point is the report shown on the cards
  const now = await apiCall<WorkingCapital>(page, 'GET', '/api/finance/working-capital?days=90')
  expect(days(trend.body.points.at(-1)!.ccc)).toBe(days(now.body.ccc))
  await expect(
    page.getByRole('img', { name: /cash conversion cycle in days/ }).locator('canvas'),
  ).toBeVisible()

  const open = await expectItemsShown(page, 'receivables', 'open')
  expect(open.open.count).toBeGreaterThan(0)
  await expectItemsShown(page, 'payables', 'open')

  // overdue receivables only, picked in the table's own filter
  await page.getByLabel('Show').first().selectOption('overdue')
  const overdue = await expectItemsShown(page, 'receivables', 'overdue')
  expect(overdue.items.every((item) => item.daysOverdue !== null && item.daysOverdue > 0)).toBe(true)

  await expectAccessible(page)
  await keepScreenshot(page, 'working-capital')

  // another window changes every card to that window's figures
  await page.getByLabel('Window').selectOption('30')
  await expectCardsShown(page, 30)
})
