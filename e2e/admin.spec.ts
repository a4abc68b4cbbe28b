import { expect, request as playwrightRequest, test } from '@playwright/test'
import { createAccount, signOut, uniqueEmail } from './accounts.ts'
import { admin, baseURL } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface User {
  id: string
  email: string
  role: string
  disabled: boolean
}
interface ApiKey {
  id: string
  name: string
  state: string
}
interface Block {
  id: string
  cidr: string
  reason: string | null
  active: boolean
}

test('admin: users match the API; role change, disable, invite and revoke go through', async ({ page }) => {
  test.slow() // several changes, each confirmed and checked against the API
  await signIn(page, admin.email, admin.password)
  const someone = await createAccount(page, 'viewer', 'managed')
  await page.getByRole('link', { name: 'Admin' }).click()
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible()
  await expect(page.getByRole('tab', { name: 'Users' })).toHaveAttribute('aria-selected', 'true')

  const users = await apiCall<{ items: User[] }>(page, 'GET', '/api/users')
  const rows = page.getByRole('table', { name: 'Users' }).locator('tbody tr')
  await expect(rows).toHaveCount(users.body.items.length)
  for (const [i, user] of users.body.items.entries()) {
    await expect(rows.nth(i)).toContainText(user.email)
    await expect(page.getByLabel(`Role of ${user.email}`)).toHaveValue(user.role)
  }
  await expectAccessible(page)
  await keepScreenshot(page, 'admin-users')

  // Role change asks first; the API then has the new role.
  await page.getByLabel(`Role of ${someone.email}`).selectOption('operator')
  const dialog = page.getByRole('dialog', { name: `Change the role of ${someone.email}?` })
  await expect(dialog).toContainText('From viewer to operator')
  await dialog.getByRole('button', { name: 'Change role' }).click()
  await expect(page.getByText(`${someone.email} is now operator.`)).toBeVisible()
  await expect(page.getByLabel(`Role of ${someone.email}`)).toHaveValue('operator')
  const changed = await apiCall<{ items: User[] }>(page, 'GET', '/api/users')
  expect(changed.body.items.find((u) => u.id === someone.id)?.role).toBe('operator')

  // Disabling asks first; cancelling changes nothing.
  await page.getByRole('button', { name: `Disable ${someone.email}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
  await page.getByRole('button', { name: `Disable ${someone.email}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click()
  await expect(page.getByRole('button', { name: `Enable ${someone.email}` })).toBeVisible()
  const after = await apiCall<{ items: User[] }>(page, 'GET', '/api/users')
  expect(after.body.items.find((u) => u.id === someone.id)?.disabled).toBe(true)

  // Invite: the link is shown once; the open invitation is listed and can be revoked.
  const email = uniqueEmail('invitee')
  await page.getByLabel('Email to invite').fill(email)
  await page.getByLabel('Invite as').selectOption('manager')
  await page.getByRole('button', { name: 'Invite' }).click()
  const link = page.getByRole('region', { name: `Invitation link for ${email}` })
  await expect(link.locator('code')).toContainText('/accept-invitation#')
  const invitations = page.getByRole('table', { name: 'Open invitations' })
  await expect(invitations).toContainText(email)
  await page.getByRole('button', { name: `Revoke the invitation for ${email}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click()
  await expect(page.getByText(`The invitation for ${email} is revoked.`)).toBeVisible()
  const listed = await apiCall<{ items: { email: string; status: string }[] }>(
    page,
    'GET',
    '/api/users/invitations',
  )
  expect(listed.body.items.find((i) => i.email === email)?.status).toBe('revoked')
})

test('admin: an API key is created, works, is revoked, and the audit log shows it', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.goto('/admin')
  // The tabs follow the arrow keys.
  await page.getByRole('tab', { name: 'Users' }).focus()
  await page.keyboard.press('ArrowRight')
  await expect(page.getByRole('tab', { name: 'API keys' })).toHaveAttribute('aria-selected', 'true')
  await expect(page).toHaveURL(/\/admin\/api-keys$/)

  const before = await apiCall<{ items: ApiKey[] }>(page, 'GET', '/api/api-keys')
  const table = page.getByRole('table', { name: 'API keys' })
  if (before.body.items.length === 0) await expect(page.getByText('No active API keys.')).toBeVisible()
  else await expect(table.locator('tbody tr')).toHaveCount(before.body.items.length)

  const name = `e2e key ${Date.now()}`
  await page.getByLabel('Key name').fill(name)
  await page.getByLabel('Key role').selectOption('viewer')
  await page.getByRole('button', { name: 'Create key' }).click()
  const secret = (await page
    .getByRole('region', { name: `API key ${name}` })
    .locator('code')
    .first()
    .textContent())!
  expect(secret).toMatch(/^sk_[a-z0-9]{8}_[A-Za-z0-9_-]{32}$/)
  await expect(table.locator('tbody tr')).toHaveCount(before.body.items.length + 1)
  const created = (await apiCall<{ items: ApiKey[] }>(page, 'GET', '/api/api-keys')).body.items.find(
    (k) => k.name === name,
  )!
  expect(created.state).toBe('active')
  await expectAccessible(page)
  await keepScreenshot(page, 'admin-api-keys')

  // The key shown is the real one: it authenticates as a viewer, until it is revoked.
  const machine = await playwrightRequest.newContext({ baseURL })
  const asKey = () => machine.get('/api/me', { headers: { authorization: `Bearer ${secret}` } })
  expect(await (await asKey()).json()).toMatchObject({ kind: 'apikey', role: 'viewer', label: name })

  await page.getByRole('button', { name: `Revoke ${name}` }).click()
  await page
    .getByRole('dialog', { name: `Revoke ${name}?` })
    .getByRole('button', { name: 'Revoke' })
    .click()
  await expect(page.getByText(`API key ${name} revoked.`)).toBeVisible()
  await expect(page.getByRole('cell', { name, exact: true })).toHaveCount(0)
  const all = await apiCall<{ items: ApiKey[] }>(page, 'GET', '/api/api-keys?includeInactive=true')
  expect(all.body.items.find((k) => k.id === created.id)?.state).toBe('revoked')
  expect((await asKey()).status()).toBe(401)
  await machine.dispose()

  await page.getByRole('tab', { name: 'Audit log' }).click()
  await page.getByLabel('Action').selectOption('apikey_revoke')
  const audit = await apiCall<{ items: { id: string; targetId: string | null }[] }>(
    page,
    'GET',
    '/api/audit-logs?action=apikey_revoke&limit=50',
  )
  expect(audit.body.items[0]?.targetId).toBe(created.id)
  const entries = page.getByRole('table', { name: 'Audit log' }).locator('tbody tr')
  await expect(entries).toHaveCount(audit.body.items.length)
  await expect(entries.first()).toContainText(`api_key ${created.id}`)
  await expect(entries.first()).toContainText(admin.email)
  await expectAccessible(page)
  await keepScreenshot(page, 'admin-audit-log')
})

test('admin: a TEST-NET address is blocked and unblocked', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  await page.goto('/admin/ip-blocklist')
  const before = await apiCall<{ items: Block[] }>(page, 'GET', '/api/security/ip-blocks')
  const table = page.getByRole('table', { name: 'Blocked addresses' })
  if (before.body.items.length === 0) await expect(page.getByText('No address is blocked.')).toBeVisible()
  else await expect(table.locator('tbody tr')).toHaveCount(before.body.items.length)
  const events = await apiCall<{ countsLast24h: Record<string, number> }>(
    page,
    'GET',
    '/api/security/events?limit=25',
  )
  await expect(page.getByText('forbidden, last 24 h').locator('..')).toContainText(
    String(events.body.countsLast24h.forbidden),
  )

  // 203.0.113.0/24 is TEST-NET-3: never a real client, and never this test's own address.
  const taken = new Set(before.body.items.map((b) => b.cidr))
  let address = '203.0.113.7'
  for (let n = 8; taken.has(`${address}/32`); n++) address = `203.0.113.${n}`
  const cidr = `${address}/32`
  await page.getByLabel('Address or CIDR range').fill(address)
  await page.getByLabel('Reason').fill('e2e test block')
  await page.getByLabel('Until (optional)').fill('2099-01-01T12:00')
  await page.getByRole('button', { name: 'Block', exact: true }).click()
  await expect(page.getByText(`${address} is blocked.`)).toBeVisible()
  await expect(table).toContainText(cidr)
  const added = (await apiCall<{ items: Block[] }>(page, 'GET', '/api/security/ip-blocks')).body.items.find(
    (b) => b.cidr === cidr,
  )
  expect(added).toMatchObject({ reason: 'e2e test block', active: true })
  await expectAccessible(page)
  await keepScreenshot(page, 'admin-ip-blocklist')

  await page.getByRole('button', { name: `Remove the block on ${cidr}` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Remove block' }).click()
  await expect(page.getByText(`The block on ${cidr} is removed.`)).toBeVisible()
  const after = await apiCall<{ items: Block[] }>(page, 'GET', '/api/security/ip-blocks')
  expect(after.body.items.some((b) => b.cidr === cidr)).toBe(false)
  if (after.body.items.length > 0) await expect(table).not.toContainText(cidr)
})

test('a viewer sees no admin pages and gets 403 from the admin APIs', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  const viewer = await createAccount(page, 'viewer')
  await signOut(page)
  await signIn(page, viewer.email, viewer.password)
  await expect(page.getByRole('link', { name: 'Settings' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0)

  await page.goto('/admin/users')
  await expect(page.getByRole('heading', { name: "You don't have access" })).toBeVisible()
  await expect(page.getByRole('table')).toHaveCount(0)
  for (const path of ['/api/users', '/api/api-keys', '/api/audit-logs', '/api/security/ip-blocks']) {
    const response = await apiCall<{ error: { code: string } }>(page, 'GET', path)
    expect(response.status, path).toBe(403)
    expect(response.body.error.code).toBe('FORBIDDEN')
  }
  const invite = await apiCall(page, 'POST', '/api/users/invitations', {
    email: uniqueEmail('x'),
    role: 'admin',
  })
  expect(invite.status).toBe(403)
  await expectAccessible(page)
  await keepScreenshot(page, 'admin-no-access')
})
