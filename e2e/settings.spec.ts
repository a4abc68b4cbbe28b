import { expect, type Page, test } from '@playwright/test'
import { totpFromUri } from '../test/totp.ts'
import { createAccount, invite, signOut, uniqueEmail } from './accounts.ts'
import { admin } from './playwright.config.ts'
import { apiCall, expectAccessible, keepScreenshot, signIn } from './support.ts'

interface AuthSession {
  user: { name: string; email: string; twoFactorEnabled: boolean }
}

const session = async (page: Page) =>
  (await apiCall<AuthSession>(page, 'GET', '/api/auth/get-session')).body.user

test('an invitation is accepted through its page, which signs the new person in', async ({ page }) => {
  await signIn(page, admin.email, admin.password)
  const email = uniqueEmail('accept')
  const { path } = await invite(page, email, 'operator')
  await signOut(page)

  await page.goto(path)
  await expect(page.getByRole('heading', { name: 'Accept your invitation' })).toBeVisible()
  const lookup = await apiCall<{ email: string; role: string }>(page, 'POST', '/api/invitations/lookup', {
    token: path.split('#')[1],
  })
  expect(lookup.body).toMatchObject({ email, role: 'operator' })
  await expect(page.getByRole('definition').filter({ hasText: email })).toBeVisible()
  await expect(page.getByRole('definition').filter({ hasText: 'operator' })).toBeVisible()
  await expectAccessible(page)
  await keepScreenshot(page, 'accept-invitation')

  const password = `accepted password ${Date.now()}`
  await page.getByLabel('Your name').fill('E2E Accepted')
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByLabel('Repeat the password').fill(`${password} typo`)
  await page.getByRole('button', { name: 'Accept and sign in' }).click()
  await expect(page.getByText('The two passwords differ.')).toBeVisible()
  await page.getByLabel('Repeat the password').fill(password)
  await page.getByRole('button', { name: 'Accept and sign in' }).click()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()
  await expect(page).toHaveURL(/\/$/)
  expect((await apiCall<{ label: string; role: string }>(page, 'GET', '/api/me')).body).toMatchObject({
    label: email,
    role: 'operator',
  })

  // The link works once.
  await page.goto(path)
  await expect(page.getByRole('alert')).toContainText('unknown, used, revoked or expired')
})

test('settings: name, password and two-factor sign-in of one person', async ({ page }) => {
  test.slow() // four sign-ins (argon2) and two accessibility scans
  await signIn(page, admin.email, admin.password)
  const me = await createAccount(page, 'viewer', 'settings')
  await signOut(page)
  await signIn(page, me.email, me.password)
  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible()

  // Profile: what the API has, then a new name saved there.
  const profile = page.getByRole('region', { name: 'Profile' })
  await expect(profile.getByLabel('Name')).toHaveValue((await session(page)).name)
  await expect(profile.getByLabel('Email')).toHaveValue(me.email)
  await expect(profile.getByLabel('Email')).toHaveAttribute('readonly', '')
  await expectAccessible(page)
  await keepScreenshot(page, 'settings')
  const name = `E2E Renamed ${Date.now()}`
  await profile.getByLabel('Name').fill(name)
  await profile.getByRole('button', { name: 'Save name' }).click()
  await expect(profile.getByText('Name saved.')).toBeVisible()
  expect((await session(page)).name).toBe(name)
  await page.reload()
  await expect(page.getByRole('region', { name: 'Profile' }).getByLabel('Name')).toHaveValue(name)

  // Password: a wrong current one shows the server's message; then the change, and sign-in with it.
  const password = page.getByRole('region', { name: 'Password' })
  const newPassword = `${me.password} renewed`
  await password.getByLabel('Current password').fill('not the password at all')
  await password.getByLabel('New password', { exact: true }).fill(newPassword)
  await password.getByLabel('Repeat the new password').fill(newPassword)
  await password.getByRole('button', { name: 'Change password' }).click()
  await expect(password.getByRole('alert')).toContainText(/invalid password/i)
  await password.getByLabel('Current password').fill(me.password)
  await password.getByLabel('New password', { exact: true }).fill(newPassword)
  await password.getByLabel('Repeat the new password').fill(newPassword)
  await password.getByRole('button', { name: 'Change password' }).click()
  await expect(password.getByText(/^Password changed/)).toBeVisible()
  await signOut(page)
  await signIn(page, me.email, newPassword)

  // Two-factor: turn on with the key shown, then sign in with a code computed from it.
  await page.getByRole('link', { name: 'Settings' }).click()
  const twoFactor = page.getByRole('region', { name: 'Two-factor sign-in' })
  await expect(twoFactor).toContainText('Two-factor sign-in is off')
  await twoFactor.getByLabel('Your password').fill(newPassword)
  await twoFactor.getByRole('button', { name: 'Turn on two-factor sign-in' }).click()
  const uri = (await twoFactor
    .getByRole('region', { name: /Setup URI/ })
    .locator('code')
    .textContent())!
  const key = await twoFactor
    .getByRole('region', { name: 'Key for your authenticator app' })
    .locator('code')
    .textContent()
  expect(uri).toMatch(/^otpauth:\/\/totp\//)
  expect(new URL(uri).searchParams.get('secret')).toBe(key)
  const codes = (await twoFactor.getByRole('region', { name: 'Backup codes' }).locator('code').textContent())!
  expect(codes.trim().split('\n')).toHaveLength(10)
  await expectAccessible(page)
  await keepScreenshot(page, 'settings-two-factor')
  await twoFactor.getByLabel('Code from your app').fill(totpFromUri(uri))
  await twoFactor.getByRole('button', { name: 'Verify and turn on' }).click()
  await expect(twoFactor.getByText('Two-factor sign-in is on.')).toBeVisible()
  expect((await session(page)).twoFactorEnabled).toBe(true)

  await signOut(page)
  await page.getByLabel('Email').fill(me.email)
  await page.getByLabel('Password').fill(newPassword)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByLabel('Code').fill(totpFromUri(uri))
  await page.getByRole('button', { name: 'Verify' }).click()
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible()

  // And off again, with the password.
  await page.getByRole('link', { name: 'Settings' }).click()
  await twoFactor.getByLabel('Your password').fill(newPassword)
  await twoFactor.getByRole('button', { name: 'Turn off two-factor sign-in' }).click()
  await expect(twoFactor.getByText('Two-factor sign-in is off.')).toBeVisible()
  expect((await session(page)).twoFactorEnabled).toBe(false)
})
