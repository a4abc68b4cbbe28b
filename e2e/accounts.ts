import { expect, type Page } from '@playwright/test'
import { apiCall } from './support.ts'

export interface Account {
  id: string
  email: string
  name: string
  password: string
  role: string
}

/** A unique address, so a rerun against the same server never meets an earlier run's account. */
export const uniqueEmail = (label: string) =>
  `e2e-${label}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`

/** Invites someone through the API with the page's admin session; returns the link's path and token. */
export async function invite(
  page: Page,
  email: string,
  role: string,
): Promise<{ path: string; token: string }> {
  const invited = await apiCall<{ url: string }>(page, 'POST', '/api/users/invitations', { email, role })
  expect(invited.status).toBe(201)
  const url = new URL(invited.body.url)
  return { path: `${url.pathname}${url.hash}`, token: url.hash.slice(1) }
}

/** A new account made the way a person gets one: an admin's invitation, then its acceptance. */
export async function createAccount(page: Page, role: string, label = role): Promise<Account> {
  const email = uniqueEmail(label)
  const { token } = await invite(page, email, role)
  const account = { email, name: `E2E ${label}`, password: `e2e ${label} password ${Date.now()}`, role }
  const accepted = await apiCall<{ id: string }>(page, 'POST', '/api/invitations/accept', {
    token,
    name: account.name,
    password: account.password,
  })
  expect(accepted.status).toBe(201)
  return { ...account, id: accepted.body.id }
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible()
}
