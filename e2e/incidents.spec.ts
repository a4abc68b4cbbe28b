import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect, test } from '@playwright/test'
import { createAccount } from './accounts.ts'
import { admin, baseURL } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface Incident {
  id: string
  title: string
  severity: string
  status: string
  lead: { id: string; name: string } | null
  alertCount: number
  acknowledgedAt: string | null
  postmortem: { required: boolean; status: string }
}
interface Detail extends Incident {
  timeline: { kind: string; detail: Record<string, unknown> }[]
  checklist: { key: string; phase: string; title: string; doneAt: string | null; overdue: boolean }[]
}
interface Suggestion {
  severity: string
  reason: string
}
interface Preview {
  title: string
  text: string
  placeholders: string[]
}
interface Postmortem {
  status: string
  sections: Record<string, string>
  warnings: { section: string; phrase: string }[]
  actions: { title: string; owner: string; dueDate: string; state: string; overdue: boolean }[]
}

/** A calendar day (YYYY-MM-DD, UTC) `days` from today. */
const dayFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)

/** A local webhook receiver: what the app's notification delivery posts to it. */
async function receiver(): Promise<{ server: Server; url: string; bodies: Record<string, unknown>[] }> {
  const bodies: Record<string, unknown>[] = []
  const server = createServer((request, response) => {
    let raw = ''
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString()
    })
    request.on('end', () => {
      bodies.push(JSON.parse(raw || '{}') as Record<string, unknown>)
      response.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies }
}

const local = ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(baseURL).hostname)

test('incidents: a manager opens an incident with the severity helper, works it to resolved, messages it and writes the post-mortem', async ({
  page,
}) => {
  test.slow()
  await signIn(page, admin.email, admin.password)
  const hook = await receiver()
  const channel = `e2e-inc-${Date.now()}`
  const created = await apiCall(page, 'POST', '/api/notifications/channels', {
    name: channel,
    kind: 'webhook',
    destination: hook.url,
    secret: 'e2e-incidents-webhook-secret',
  })
  expect(created.status).toBe(201)
  try {
    await page.getByRole('link', { name: 'Incidents' }).click()
    await expect(page.getByRole('heading', { level: 1, name: 'Incidents' })).toBeVisible()

    // The form shows the severity the current signals suggest, with the reason, as the API gave it.
    const suggested = page.waitForResponse((r) => r.url().endsWith('/api/incidents/suggested-severity'))
    await page.getByRole('button', { name: 'New incident' }).click()
    const suggestion = (await (await suggested).json()) as Suggestion
    const form = page.getByRole('form', { name: 'New incident' })
    const helper = form.locator('[data-suggestion]')
    await expect(helper).toHaveAttribute('data-suggestion', suggestion.severity)
    await expect(helper).toContainText(suggestion.reason)
    const severity = form.getByLabel('Severity', { exact: true })
    if ((await severity.inputValue()) !== suggestion.severity) {
      await helper.getByRole('button', { name: 'Use suggestion' }).click()
      await expect(severity).toHaveValue(suggestion.severity)
      await expect(helper).toContainText('(selected)')
    }
    // The definitions with their response times, as help.
    await form.getByText('Severity definitions and response times').click()
    const definitions = await apiCall<{ severity: string; name: string }[]>(
      page,
      'GET',
      '/api/incidents/severities',
    )
    for (const definition of definitions.body) await expect(form).toContainText(definition.name)

    const title = `E2E checkout errors ${Date.now()}`
    await form.getByLabel('Title').fill(title)
    await severity.selectOption('P1') // a resolved P1 requires a post-mortem
    await form.getByLabel('Impact').fill('Customers cannot pay at checkout.')
    await form.getByLabel('Lead').fill(admin.email)
    await form.getByLabel('Components').fill('checkout, payments')
    await form.getByRole('button', { name: 'Open incident' }).click()
    await expect(form.getByRole('status')).toContainText('is open')

    // It is in the open list, as the API has it.
    const open = await apiCall<{ items: Incident[] }>(page, 'GET', '/api/incidents?state=open&limit=50')
    const incident = open.body.items.find((i) => i.title === title)!
    expect(incident).toBeDefined()
    expect(incident.severity).toBe('P1')
    const row = page
      .getByRole('table', { name: 'Open incidents' })
      .locator('tbody tr')
      .filter({ hasText: title })
    await expect(row).toContainText('P1')
    await expect(row).toContainText('Investigating')
    await expect(row).toContainText(incident.lead!.name)
    await expect(row).toContainText('Response pending')
    await expect(row).toContainText('required')
    await expectAccessible(page)
    await keepScreenshot(page, 'incidents')

    await row.getByRole('link', { name: title }).click()
    await expect(page).toHaveURL(new RegExp(`/incidents/${incident.id}$`))
    await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible()
    const timeline = page.getByRole('list', { name: 'Timeline' })
    await expect(timeline.locator('li[data-kind="created"]')).toContainText(
      'Opened by you as P1, Investigating',
    )

    // Acknowledge: the response SLA is met and the button goes.
    await page.getByRole('button', { name: 'Acknowledge' }).click()
    await expect(page.getByText('Acknowledged: escalation stops.')).toBeVisible()
    await expect(page.getByRole('button', { name: 'Acknowledge' })).toHaveCount(0)
    await expect(timeline.locator('li[data-kind="acknowledged"]')).toContainText('Acknowledged by you')
    await expect(page.locator('[data-sla]').first()).toHaveAttribute('data-sla', 'met')

    await page.getByLabel('Note', { exact: true }).fill('Payment provider answers 502; failing over.')
    await page.getByRole('button', { name: 'Add note' }).click()
    await expect(timeline.locator('li[data-kind="note"]')).toContainText(
      'Payment provider answers 502; failing over.',
    )

    await page.getByLabel('New status').selectOption('resolved')
    await page.getByRole('button', { name: 'Change status' }).click()
    await expect(page.getByText('Status changed to Resolved.')).toBeVisible()
    await expect(timeline.locator('li[data-kind="status"]')).toContainText(
      'Status changed from Investigating to Resolved by you',
    )
    const resolved = await apiCall<Detail>(page, 'GET', `/api/incidents/${incident.id}`)
    expect(resolved.body.status).toBe('resolved')
    expect(resolved.body.postmortem).toEqual({ required: true, status: 'draft' })
    // One entry per API entry (an escalation step may still add one: compared again until they agree).
    await expect(async () => {
      const now = await apiCall<Detail>(page, 'GET', `/api/incidents/${incident.id}`)
      await expect(timeline.locator(':scope > li')).toHaveCount(now.body.timeline.length, { timeout: 2000 })
    }).toPass({ timeout: 20_000 })

    // Communications: the Initial Alert as the API renders it, edited, then sent.
    const comms = page.getByRole('region', { name: 'Communications' })
    await expect(comms.getByLabel('Template')).toHaveValue('initial')
    const preview = (await apiCall<Preview>(page, 'GET', `/api/incidents/${incident.id}/messages/initial`))
      .body
    const text = comms.getByLabel('Message text')
    await expect(text).toHaveValue(preview.text)
    await expect(comms.getByLabel('Message title')).toHaveValue(preview.title)
    let edited = preview.text
    for (const placeholder of preview.placeholders) {
      await expect(comms).toContainText(placeholder)
      edited = edited.replaceAll(placeholder, 'Resolved by failing over to the second provider')
    }
    edited += '\nSent from the e2e run.'
    await text.fill(edited)
    // The incident's own channel (slack) is not set up here: the API's refusal is shown as it is.
    const channels = await apiCall<{ items: { name: string }[] }>(page, 'GET', '/api/notifications/channels')
    if (!channels.body.items.some((c) => c.name === 'slack')) {
      await expect(comms.getByLabel('slack (not configured)')).toBeChecked()
      await comms.getByRole('button', { name: 'Send message' }).click()
      await expect(comms.getByRole('alert')).toContainText('Channel not configured: slack')
      await comms.getByLabel('slack (not configured)').uncheck()
    } else await comms.getByLabel('slack', { exact: true }).uncheck()
    await comms.getByLabel(channel, { exact: true }).check()
    await comms.getByRole('button', { name: 'Send message' }).click()
    await expect(comms.locator('[data-message-result]')).toContainText(
      `Queued for 1 of 1 channel: ${channel}.`,
    )
    const sent = timeline
      .locator('li[data-kind="message"]')
      .filter({ hasText: `Message sent by you: ${preview.title}` })
    await expect(sent).toContainText('Sent from the e2e run.')
    await expect(sent).toContainText(channel)
    if (local)
      await expect
        .poll(() => hook.bodies.find((b) => b.title === preview.title)?.text, { timeout: 30_000 })
        .toBe(edited)

    // The post-mortem opened with the resolution: a blaming sentence is pointed out.
    const postmortem = page.getByRole('region', { name: 'Post-mortem' })
    await expect(postmortem.locator('[data-postmortem-status]')).toHaveText('Draft')
    await postmortem
      .getByLabel('Summary')
      .fill('Checkout failed for 40 minutes. The on-call engineer forgot to renew the certificate.')
    await postmortem
      .getByLabel('Root cause')
      .fill('Certificate renewal was a manual step with no reminder and no expiry alert.')
    await postmortem.getByRole('button', { name: 'Save post-mortem' }).click()
    await expect(postmortem.getByText('Post-mortem saved.')).toBeVisible()
    const saved = (await apiCall<Postmortem>(page, 'GET', `/api/incidents/${incident.id}/postmortem`)).body
    expect(saved.warnings.length).toBeGreaterThan(0)
    await expect(postmortem.locator('[data-warning]')).toHaveCount(saved.warnings.length)
    const blamed = saved.warnings.find((w) => w.section === 'summary')
    expect(blamed?.phrase).toBe('The on-call engineer forgot to')
    await expect(postmortem.locator('[data-warning="summary"]')).toContainText(blamed!.phrase)

    // An action item due yesterday is marked overdue; its state changes and the mark goes.
    const add = postmortem.getByRole('form', { name: 'Add an action item' })
    await add.getByLabel('New action item').fill('Alert 14 days before a certificate expires')
    await add.getByLabel('Owner').fill('Platform team')
    await add.getByLabel('Due date').fill(dayFromToday(-1))
    await add.getByRole('button', { name: 'Add action item' }).click()
    const item = postmortem.getByRole('list', { name: 'Action items' }).locator('li').first()
    await expect(item).toContainText('Alert 14 days before a certificate expires')
    await expect(item).toHaveAttribute('data-overdue', 'true')
    await expect(item.getByText('overdue')).toBeVisible()
    await item.getByLabel('Due date').fill(dayFromToday(14))
    await item.getByRole('button', { name: 'Save item' }).click()
    await expect(
      postmortem.getByRole('list', { name: 'Action items' }).locator('li').first(),
    ).toHaveAttribute('data-overdue', 'false')
    const withAction = (await apiCall<Postmortem>(page, 'GET', `/api/incidents/${incident.id}/postmortem`))
      .body
    expect(withAction.actions).toEqual([
      expect.objectContaining({
        owner: 'Platform team',
        dueDate: dayFromToday(14),
        state: 'open',
        overdue: false,
      }),
    ])

    await postmortem.getByRole('button', { name: 'Publish' }).click()
    await expect(postmortem.locator('[data-postmortem-status]')).toHaveText('Published')

    // The Markdown export holds what was written.
    const downloading = page.waitForEvent('download')
    await postmortem.getByRole('link', { name: 'Download Markdown' }).click()
    const download = await downloading
    const markdown = await readFile((await download.path())!, 'utf8')
    expect(markdown).toContain(`# Post-mortem: incident #${incident.id}`)
    expect(markdown).toContain('Certificate renewal was a manual step')
    expect(markdown).toContain('| Alert 14 days before a certificate expires | Platform team |')

    await expect(page.locator('[data-loading]')).toHaveCount(0)
    await expectAccessible(page)
    await keepScreenshot(page, 'incident')
    await page.getByRole('button', { name: 'Switch to dark theme' }).click()
    await expect(page.locator('html')).toHaveClass(/\bdark\b/)
    await expectAccessible(page)
    await keepScreenshot(page, 'incident-dark')
    await page.getByRole('button', { name: 'Switch to light theme' }).click()
  } finally {
    expect((await apiCall(page, 'DELETE', `/api/notifications/channels/${channel}`)).status).toBe(200)
    hook.server.close()
  }
})

test('incidents: a security incident shows its data-breach checklist by phase; a step is marked done', async ({
  page,
}) => {
  await signIn(page, admin.email, admin.password)
  const detectedAt = new Date(Date.now() - 2 * 3_600_000).toISOString()
  const opened = await apiCall<Incident>(page, 'POST', '/api/incidents', {
    title: `E2E suspicious export ${Date.now()}`,
    severity: 'P2',
    kind: 'security',
    detectedAt,
  })
  expect(opened.status).toBe(201)
  try {
    const before = (await apiCall<Detail>(page, 'GET', `/api/incidents/${opened.body.id}`)).body
    await page.goto(`/incidents/${opened.body.id}`)
    const checklist = page.getByRole('region', { name: 'Data-breach checklist' })
    const first = checklist.getByRole('list', { name: 'Within 1 hour of detection' })
    await expect(first.locator('li')).toHaveCount(before.checklist.filter((s) => s.phase === '1h').length)
    await expect(checklist.getByRole('list', { name: 'Within 72 hours of detection' })).toBeVisible()
    // Detected two hours ago: the first hour's steps are overdue, later ones not.
    for (const step of before.checklist) {
      const line = checklist.locator(`li[data-step="${step.key}"]`)
      if (step.overdue) await expect(line.getByText('overdue')).toBeVisible()
      else await expect(line.getByText('overdue')).toHaveCount(0)
    }
    expect(before.checklist.some((s) => s.overdue)).toBe(true)

    const step = before.checklist[0]!
    await checklist.getByLabel(step.title, { exact: true }).check()
    await expect(checklist.locator(`li[data-step="${step.key}"]`)).toHaveAttribute('data-done', 'true')
    await expect(checklist.locator(`li[data-step="${step.key}"]`).getByText('overdue')).toHaveCount(0)
    await expect(
      page.getByRole('list', { name: 'Timeline' }).locator('li[data-kind="checklist"]'),
    ).toContainText(`Checklist: ${step.title} done by you (after its deadline)`)
    const after = (await apiCall<Detail>(page, 'GET', `/api/incidents/${opened.body.id}`)).body
    expect(after.checklist.find((s) => s.key === step.key)?.doneAt).not.toBeNull()
    await expect(page.locator('[data-loading]')).toHaveCount(0)
    await expectAccessible(page)

    // On a phone the detail page never scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 })
    const overflow = await page.evaluate(() => {
      // e2e/ is type-checked without the DOM's types
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } }
        innerWidth: number
      }
      return document.documentElement.scrollWidth - innerWidth
    })
    expect(overflow, `the incident page is ${overflow}px wider than the screen`).toBeLessThanOrEqual(0)
    await keepScreenshot(page, 'incident-security-phone')
  } finally {
    // Resolved, so it escalates no further where the suite runs against a shared instance.
    await apiCall(page, 'PATCH', `/api/incidents/${opened.body.id}`, { status: 'resolved' })
  }
})

test('incidents: a viewer reads incidents, checklist and post-mortem but sees no actions', async ({
  page,
  browser,
}) => {
  await signIn(page, admin.email, admin.password)
  const opened = await apiCall<Incident>(page, 'POST', '/api/incidents', {
    title: `E2E viewer incident ${Date.now()}`,
    severity: 'P1',
    status: 'resolved',
    kind: 'security',
  })
  expect(opened.status).toBe(201)
  expect(opened.body.postmortem.status).toBe('draft')
  const viewer = await createAccount(page, 'viewer', 'incidents-viewer')
  const context = await browser.newContext()
  const viewerPage = await context.newPage()
  try {
    await signIn(viewerPage, viewer.email, viewer.password)
    await viewerPage.getByRole('link', { name: 'Incidents' }).click()
    await expect(viewerPage.getByRole('heading', { level: 1, name: 'Incidents' })).toBeVisible()
    await expect(viewerPage.locator('[data-loading]')).toHaveCount(0)
    await expect(viewerPage.getByRole('button', { name: 'New incident' })).toHaveCount(0)

    await viewerPage.goto(`/incidents/${opened.body.id}`)
    await expect(viewerPage.getByRole('heading', { level: 1, name: opened.body.title })).toBeVisible()
    await expect(viewerPage.getByRole('region', { name: 'Data-breach checklist' })).toBeVisible()
    await expect(viewerPage.getByRole('region', { name: 'Post-mortem' })).toContainText('Draft')
    await expect(
      viewerPage.getByRole('region', { name: 'Communications' }).getByLabel('Message text'),
    ).toHaveValue(/INCIDENT ALERT/)
    await expect(viewerPage.locator('[data-loading]')).toHaveCount(0)
    await expect(viewerPage.getByRole('checkbox')).toHaveCount(0)
    await expect(
      viewerPage.getByRole('button', {
        name: /^(Acknowledge|Change status|Change severity|Add note|Send message|Save post-mortem|Publish|Add action item|Save item|Start a post-mortem)$/,
      }),
    ).toHaveCount(0)
    await expectAccessible(viewerPage)
  } finally {
    await context.close()
  }
})
