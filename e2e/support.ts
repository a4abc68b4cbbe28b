import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'
import { baseURL } from './playwright.config.ts'

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/')
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
}

/** A call to the API with the page's session cookie (changes carry the app's Origin, as the browser's do). */
export async function apiCall<T>(
  page: Page,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  data?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await page.request.fetch(url, {
    method,
    headers: method === 'GET' ? {} : { origin: new URL(baseURL).origin },
    data,
  })
  return { status: response.status(), body: (await response.json().catch(() => null)) as T }
}

/** Axe finds no serious or critical violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze()
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual(
    [],
  )
}

/** A full-page screenshot kept as an artifact; with E2E_DOC_SCREENSHOTS=1 the overview's also goes to docs/images for the README. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `e2e-results/screenshots/${name}.png`, fullPage: true })
  if (process.env.E2E_DOC_SCREENSHOTS === '1' && name === 'overview')
    await page.screenshot({ path: 'docs/images/overview.png' })
}
