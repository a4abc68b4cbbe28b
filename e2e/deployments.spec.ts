import { expect, test } from '@playwright/test'
import { admin, baseURL } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Release {
  id: string
  version: string
  commit: string | null
}
interface Deployment extends Release {
  kind: 'deploy' | 'rollback'
  status: string
  rollsBack: Release | null
  check: { state: string; summary: string | null; rollbackTo: Release | null }
}
interface DeploymentsPage {
  items: Deployment[]
  detector: { environment: string; windowMinutes: number; minRequests: number }
}

const SECOND = 1000
/** The check waits two sampling slots after a window for its last sample to be stored. */
const SETTLE_MS = 25 * SECOND
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Release tracking for real: CI's operator key records a good release, ordinary traffic follows,
 * then a bad release after which the app answers 503 (a read-only maintenance window refuses the
 * key's changes). Once the after-window has passed, the check flags the bad release and names the
 * good one to roll back to; /ops shows it, marks it on the charts, and shows the rollback CI then
 * records. The spec waits for the windows, so it needs them short (the e2e server sets
 * DEPLOY_REGRESSION_WINDOW_MINUTES=1 and DEPLOY_REGRESSION_MIN_REQUESTS=20).
 */
test('deployments: a release after which the app answered 5xx is flagged with the release to roll back to; the rollback shows', async ({
  page,
  request,
}) => {
  test.setTimeout(8 * 60 * SECOND)
  await signIn(page, admin.email, admin.password)
  const { detector } = (await apiCall<DeploymentsPage>(page, 'GET', '/api/deployments?limit=1')).body
  test.skip(
    detector.windowMinutes > 2,
    `the target compares ${detector.windowMinutes}-minute windows; this spec waits for them and needs DEPLOY_REGRESSION_WINDOW_MINUTES of 1 or 2`,
  )
  const windowMs = detector.windowMinutes * 60 * SECOND
  const enough = detector.minRequests * 2
  const stamp = Date.now().toString(36)
  const good = { version: `e2e-good-${stamp}`, commit: `900d${stamp}` }
  const bad = { version: `e2e-bad-${stamp}`, commit: `bad0${stamp}` }

  const issued = await apiCall<{ apiKey: { id: string }; key: string }>(page, 'POST', '/api/api-keys', {
    name: `e2e deployments ${stamp}`,
    role: 'operator',
  })
  expect(issued.status).toBe(201)
  const ci = { authorization: `Bearer ${issued.body.key}` }
  const record = (data: object) => request.post('/api/deployments', { headers: ci, data })
  const origin = { origin: new URL(baseURL).origin }

  try {
    // The good release, then a window of ordinary traffic (twice the minimum, spread over it).
    const first = await record({ ...good, notes: 'e2e: the release before' })
    expect(first.status()).toBe(201)
    const goodAt = Date.now()
    for (let i = 0; i < enough || Date.now() < goodAt + windowMs + 2 * SECOND; i++) {
      expect((await request.get('/api/deployments?limit=1', { headers: ci })).status()).toBe(200)
      await sleep(windowMs / enough)
    }

    // The bad release; while a read-only window is on, every change by the key answers 503.
    const second = await record({ ...bad, notes: 'e2e: the release that fails' })
    expect(second.status()).toBe(201)
    const badId = ((await second.json()) as Deployment).id
    const badAt = Date.now()
    const window = await apiCall<{ id: string }>(page, 'POST', '/api/maintenance/windows', {
      title: `e2e deployments ${stamp}`,
      timezone: 'UTC',
      readOnly: true,
      start: new Date().toISOString(),
      end: new Date(Date.now() + windowMs).toISOString(),
    })
    expect(window.status).toBe(201)
    try {
      let refused = 0
      for (let i = 0; refused < enough && i < enough * 3; i++) {
        // A deployment that does not exist: 404 outside the window, so nothing is ever changed.
        const response = await request.patch('/api/deployments/999999999999', {
          headers: ci,
          data: { notes: 'e2e' },
        })
        if (response.status() === 503) refused += 1
      }
      expect(refused).toBe(enough)
    } finally {
      const cancelled = await page.request.fetch(`/api/maintenance/windows/${window.body.id}/cancel`, {
        method: 'POST',
        headers: origin,
      })
      expect(cancelled.status()).toBe(200)
    }

    // Once the after-window has passed (and its last sample is stored), the check flags it.
    await sleep(Math.max(0, badAt + windowMs + SETTLE_MS - Date.now()))
    let flagged: Deployment | undefined
    await expect
      .poll(
        async () => {
          await request.post('/api/deployments/check', { headers: ci })
          flagged = (await apiCall<Deployment>(page, 'GET', `/api/deployments/${badId}`)).body
          return flagged.check.state
        },
        { timeout: 60 * SECOND, intervals: [2000, 5000] },
      )
      .toBe('regressed')
    expect(flagged!.check.rollbackTo?.version).toBe(good.version)
    expect(flagged!.check.summary).toMatch(/^error rate .+ % → .+ %/)

    // /ops: the flag, the release to roll back to, and the deploys marked on the charts.
    await page.getByRole('link', { name: 'Ops' }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Operations' })).toBeVisible()
    const table = page.getByRole('table', { name: 'Recent deployments' })
    const badRow = table.locator('tbody tr').filter({ hasText: bad.version })
    await expect(badRow.locator('[data-check="regressed"]')).toContainText('Regressed')
    await expect(badRow).toContainText(`Roll back to ${good.version}`)
    await expect(table.locator('tbody tr').filter({ hasText: good.version }).first()).toContainText('deploy')
    const callout = page.locator('[data-regression-callout]')
    await expect(callout).toContainText(`Release ${bad.version}`)
    await expect(callout).toContainText(`Roll back to ${good.version}`)
    const marker = page.locator(`[data-metric="request_rate"] [data-deploy-marker="${bad.version}"]`)
    await expect(marker).toHaveCount(1)
    await expect(marker).toHaveAttribute('data-regressed', 'true')
    await expect(marker.locator('title')).toHaveText(
      new RegExp(`^Deployed ${bad.version} at .+ \\(regressed\\)$`),
    )
    await expect(
      page.locator(`[data-metric="request_rate"] [data-deploy-marker="${good.version}"]`),
    ).toHaveCount(1)
    await expect(page.locator('[data-loading]')).toHaveCount(0)
    await expectAccessible(page)
    await keepScreenshot(page, 'ops-deployments')

    // CI records the rollback: the page hears of it, lists it as a rollback, and the flag is gone.
    const rollback = await record({ ...good, kind: 'rollback', notes: 'e2e: back to the good release' })
    expect(rollback.status()).toBe(201)
    expect(await rollback.json()).toMatchObject({
      kind: 'rollback',
      version: good.version,
      rollsBack: { id: badId, version: bad.version },
    })
    const newest = table.locator('tbody tr').first()
    await expect(newest).toContainText(good.version)
    await expect(newest).toContainText(`rollback of ${bad.version}`)
    await expect(callout).toHaveCount(0)
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    await expect(page.locator('html')).toHaveClass(/\bdark\b/)
    await expectAccessible(page)
    await keepScreenshot(page, 'ops-deployments-dark')
  } finally {
    const revoked = await page.request.fetch(`/api/api-keys/${issued.body.apiKey.id}`, {
      method: 'DELETE',
      headers: origin,
    })
    expect(revoked.status()).toBe(200)
  }
})
