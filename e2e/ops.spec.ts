import { expect, type Page, test } from '@playwright/test'
import { createAccount } from './accounts.ts'
import { admin, baseURL } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Tile {
  name: string
  unit: string
  kind: 'system' | 'business'
  value: number | null
  state: 'ok' | 'warning' | 'alert' | 'no-data' | 'no-rule'
  rules: { condition: string }[]
}
interface Tiles {
  at: string
  items: Tile[]
}
interface Alert {
  id: string
  ruleName: string
  state: string
  acknowledgedAt: string | null
}

const STATE_LABEL: Record<Tile['state'], string> = {
  ok: 'OK',
  warning: 'Warning',
  alert: 'Alert',
  'no-data': 'No data',
  'no-rule': 'No rule',
}

/** A tile's value as the page writes it (en-GB): "12.35 %", "£1,234.50/h", "—" without data. */
function shown(value: number | null, unit: string): string {
  if (value === null) return '—'
  const perHour = /^([A-Z]{3})\/h$/.exec(unit)
  if (perHour)
    return `${new Intl.NumberFormat('en-GB', { style: 'currency', currency: perHour[1]! }).format(value)}/h`
  const figure = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 }).format(value)
  return unit ? `${figure} ${unit}` : figure
}

const tileOf = (page: Page, name: string) => page.locator(`[data-metric="${name}"]`)

/** The page's global object, to leave a mark a reload would wipe (e2e/ has no DOM types). */
const marked = (page: Page, set: boolean) =>
  page.evaluate((mark) => {
    const global = globalThis as unknown as Record<string, unknown>
    if (mark) global.__opsNoReload = true
    return global.__opsNoReload === true
  }, set)

/** The demo app samples every SAMPLER_INTERVAL_SECONDS: wait until the system figures have data. */
async function waitForSamples(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const { body } = await apiCall<Tiles>(page, 'GET', '/api/ops/tiles')
        return ['cpu_percent', 'memory_percent', 'request_rate'].every(
          (name) => body.items.find((tile) => tile.name === name)?.value != null,
        )
      },
      { timeout: 60_000, intervals: [1000, 2000, 5000] },
    )
    .toBe(true)
}

test('ops: tiles match the API; a new alert appears live, is acknowledged on the page and its timeline says so', async ({
  page,
}) => {
  test.slow()
  await signIn(page, admin.email, admin.password)
  await waitForSamples(page)

  // Figures move with every sample, so the page is compared with the answer it was given.
  let given: Tiles | undefined
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== '/api/ops/tiles' || !response.ok()) return
    // A body is gone once the page has moved on; the next answer then counts.
    given = ((await response.json().catch(() => null)) as Tiles | null) ?? given
  })
  await page.getByRole('link', { name: 'Ops' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible()

  const answer = (await apiCall<Tiles>(page, 'GET', '/api/ops/tiles')).body
  for (const [list, kind] of [
    ['System health', 'system'],
    ['Business', 'business'],
  ] as const) {
    const expected = answer.items.filter((tile) => tile.kind === kind)
    const cards = page.getByRole('list', { name: list }).locator('[data-metric]')
    await expect(cards).toHaveCount(expected.length)
    for (const [i, tile] of expected.entries()) {
      await expect(cards.nth(i)).toHaveAttribute('data-metric', tile.name)
      for (const rule of tile.rules) await expect(cards.nth(i)).toContainText(rule.condition)
      if (tile.rules.length === 0) await expect(cards.nth(i)).toContainText('No alert rule')
    }
  }
  expect(answer.items.find((tile) => tile.name === 'cpu_percent')?.value).not.toBeNull()
  await expect(async () => {
    expect(given).toBeDefined()
    for (const tile of given!.items) {
      const card = tileOf(page, tile.name)
      await expect(card.locator('[data-value]')).toHaveText(shown(tile.value, tile.unit), { timeout: 1000 })
      await expect(card).toHaveAttribute('data-state', tile.state, { timeout: 1000 })
      await expect(card.getByText(STATE_LABEL[tile.state], { exact: true })).toBeVisible({ timeout: 1000 })
    }
  }).toPass({ timeout: 30_000 })
  // Uptime over 7 and 30 days beside the 24-hour figure, as the API computes them.
  await expect(async () => {
    const uptime = (
      await apiCall<{ items: { window: string; percent: number | null }[] }>(
        page,
        'GET',
        '/api/metrics/uptime',
      )
    ).body
    const text = uptime.items
      .filter((w) => w.window !== '24h')
      .map((w) => `${w.window.replace('d', ' days')}: ${shown(w.percent, '%')}`)
      .join(' · ')
    await expect(tileOf(page, 'uptime_percent').locator('[data-uptime-windows]')).toHaveText(text, {
      timeout: 1000,
    })
  }).toPass({ timeout: 60_000 })

  // The other sections show what their APIs hold.
  const vendors = await apiCall<{ items: unknown[] }>(page, 'GET', '/api/oncall/contacts?kind=vendor')
  if (vendors.body.items.length === 0) await expect(page.getByText('No vendor contacts yet.')).toBeVisible()
  else
    await expect(
      page.getByRole('table', { name: 'Vendor support contacts' }).locator('tbody tr'),
    ).toHaveCount(vendors.body.items.length)
  const channels = await apiCall<{ items: unknown[]; direct: unknown[] }>(
    page,
    'GET',
    '/api/notifications/channels',
  )
  const channelCount = channels.body.items.length + channels.body.direct.length
  if (channelCount === 0) await expect(page.getByText('No notification channel is configured.')).toBeVisible()
  else
    await expect(page.getByRole('table', { name: 'Notification channels' }).locator('tbody tr')).toHaveCount(
      channelCount,
    )

  // A rule that holds whenever there is traffic fires at the next evaluation.
  expect(await marked(page, true)).toBe(true)
  const name = `E2E ops ${Date.now()}`
  const rule = await apiCall<{ id: string }>(page, 'POST', '/api/alert-rules', {
    name,
    metric: 'request_rate',
    kind: 'threshold',
    params: { op: '>=', alert: 0, windowSeconds: 600 },
    severity: 'low',
  })
  expect(rule.status).toBe(201)
  try {
    // Evaluate now; when the evaluation loop is already at it, it takes the new rule within seconds.
    let alert: Alert | undefined
    await expect
      .poll(
        async () => {
          await apiCall(page, 'POST', '/api/alerts/evaluate')
          const firing = await apiCall<{ items: Alert[] }>(page, 'GET', '/api/alerts?state=firing&limit=200')
          alert = firing.body.items.find((a) => a.ruleName === name)
          return alert?.state
        },
        { timeout: 30_000, intervals: [500, 1000, 2000] },
      )
      .toBe('firing')

    // The page hears of it through /api/events: no reload.
    const active = page.getByRole('table', { name: 'Firing and pending alerts' })
    const row = active.locator('tbody tr').filter({ hasText: name })
    await expect(row).toContainText('firing')
    expect(await marked(page, false)).toBe(true)

    await row.getByRole('button', { name: `Acknowledge ${name}` }).click()
    const dialog = page.getByRole('dialog', { name: `Acknowledge ${name}` })
    await dialog.getByLabel('Note (optional)').fill('e2e: looking into it')
    await dialog.getByRole('button', { name: 'Acknowledge' }).click()
    await expect(page.getByText(`${name} is acknowledged.`)).toBeVisible()
    await expect(row).toContainText('acknowledged')
    await expect(row.getByRole('button', { name: `Acknowledge ${name}` })).toHaveCount(0)
    const acknowledged = await apiCall<Alert>(page, 'GET', `/api/alerts/${alert!.id}`)
    expect(acknowledged.body.acknowledgedAt).not.toBeNull()

    // The row opens the escalation timeline: fired, the first step, the acknowledgement.
    await row.getByRole('link', { name: `${name}: timeline` }).click()
    await expect(page).toHaveURL(new RegExp(`/ops/alerts/${alert!.id}$`))
    const timeline = page.getByRole('dialog', { name })
    const events = timeline.getByRole('list', { name: 'Timeline' })
    await expect(events.locator('li[data-kind="firing"]')).toContainText('Fired (low)')
    await expect(events.locator('li[data-kind="notified"]')).toContainText('Escalation step 1: email')
    await expect(events.locator('li[data-kind="acknowledged"]')).toContainText('Acknowledged by you')
    await expect(events.locator('li[data-kind="acknowledged"]')).toContainText('Note: e2e: looking into it')
    await expectAccessible(page)
    await timeline.getByRole('button', { name: 'Close' }).click()
    await expect(page).toHaveURL(/\/ops$/)
  } finally {
    const deleted = await page.request.fetch(`/api/alert-rules/${rule.body.id}`, {
      method: 'DELETE',
      headers: { origin: new URL(baseURL).origin },
    })
    expect(deleted.status()).toBe(200)
  }

  await expect(page.locator('[data-loading]')).toHaveCount(0)
  await expectAccessible(page)
  await keepScreenshot(page, 'ops')
  await page.getByRole('button', { name: 'Switch to dark theme' }).click()
  await expect(page.locator('html')).toHaveClass(/\bdark\b/)
  await expectAccessible(page)
  await keepScreenshot(page, 'ops-dark')
})

test('ops: a viewer sees the figures and alerts but no actions, and no operator-only sections', async ({
  page,
  browser,
}) => {
  await signIn(page, admin.email, admin.password)
  const viewer = await createAccount(page, 'viewer', 'ops-viewer')
  const context = await browser.newContext()
  const viewerPage = await context.newPage()
  try {
    await signIn(viewerPage, viewer.email, viewer.password)
    await viewerPage.getByRole('link', { name: 'Ops' }).click()
    await expect(viewerPage.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible()
    await expect(
      viewerPage.getByRole('list', { name: 'System health' }).locator('[data-metric]').first(),
    ).toBeVisible()
    await expect(viewerPage.getByText('Operators and admins see notification delivery.')).toBeVisible()
    await expect(viewerPage.getByText('Operators and admins see the error groups.')).toBeVisible()
    await expect(viewerPage.locator('[data-loading]')).toHaveCount(0)
    await expect(viewerPage.getByRole('button', { name: /^(Acknowledge|Silence|Retry) / })).toHaveCount(0)
  } finally {
    await context.close()
  }
})
