import { expect, test } from '@playwright/test'
import { admin } from './playwright.config.ts'
import { keepScreenshot, signIn } from './support.ts'

const PAGES = [
  ['/', 'Overview'],
  ['/orders', 'Orders'],
  ['/inventory', 'Inventory'],
  ['/production', 'Production'],
  ['/forecasting', 'Forecasting'],
  ['/working-capital', 'Working capital'],
  ['/ops', 'Operations'],
  ['/incidents', 'Incidents'],
  ['/admin', 'Admin'],
  ['/settings', 'Settings'],
] as const

test.use({ viewport: { width: 390, height: 844 } })

test('every page fits a phone: nothing wider than the screen, in the dark theme too', async ({ page }) => {
  test.slow()
  await signIn(page, admin.email, admin.password)
  for (const [path, heading] of PAGES) {
    await page.goto(path)
    await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible()
    await expect(page.locator('[data-loading]')).toHaveCount(0)
    // the page never scrolls sideways: wide tables scroll inside their own box
    const overflow = await page.evaluate(() => {
      // e2e/ is type-checked without the DOM's types
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } }
        innerWidth: number
      }
      return document.documentElement.scrollWidth - innerWidth
    })
    expect(overflow, `${path} is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0)
  }
  // a reader who has not picked a theme gets the system's
  await page.emulateMedia({ colorScheme: 'dark' })
  await page.goto('/')
  await expect(page.locator('html')).toHaveClass(/\bdark\b/)
  await expect(page.locator('[data-loading]')).toHaveCount(0)
  await keepScreenshot(page, 'phone-overview-dark')
})
