import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { INVITATION_TTL_MS } from './invitations.ts'

const PASSWORD = 'a perfectly long password'

describe('invitations', () => {
  let t: TestApp
  const clock = new TestClock(new Date())
  beforeAll(async () => {
    t = await buildTestApp({ start: false, clock, env: { SIGNIN_RATE_LIMIT_PER_MINUTE: '1000' } })
  })
  afterAll(() => t.close())

  const invite = async (email: string, role = 'operator') =>
    t.app.inject({
      method: 'POST',
      url: '/api/users/invitations',
      headers: await as(t.ctx, 'admin'),
      payload: { email, role },
    })
  const tokenOf = (url: string) => url.split('#')[1] ?? ''
  const accept = (token: string, name = 'Invited Person', password = PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/invitations/accept', payload: { token, name, password } })
  const lookup = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/invitations/lookup', payload: { token } })
  const list = async () =>
    (await t.app.inject({ url: '/api/users/invitations', headers: await as(t.ctx, 'admin') })).json()
      .items as Array<{ id: string; email: string; status: string; userId: string | null }>

  it('invites by email with a role; the person accepts once, signs in with that role, and both steps are audited', async () => {
    const res = await invite('New.Hire@Example.com')
    expect(res.statusCode).toBe(201)
    const { invitation, url } = res.json()
    expect(invitation).toMatchObject({ email: 'new.hire@example.com', role: 'operator', status: 'open' })
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/accept-invitation#[A-Za-z0-9_-]{43}$/)
    const token = tokenOf(url)
    // only a hash is stored
    const row = await t.ctx.db
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow()
    expect(row.token_hash).not.toContain(token)

    expect((await lookup(token)).json()).toMatchObject({ email: 'new.hire@example.com', role: 'operator' })
    const accepted = await accept(token)
    expect(accepted.statusCode).toBe(201)
    expect(accepted.json()).toMatchObject({ email: 'new.hire@example.com', role: 'operator' })

    const again = await accept(token, 'Someone Else')
    expect(again.statusCode).toBe(404)
    expect(again.json().error.code).toBe('NOT_FOUND')
    expect((await lookup(token)).statusCode).toBe(404)

    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email: 'new.hire@example.com', password: PASSWORD },
    })
    expect(signIn.statusCode).toBe(200)
    const cookie = ([] as string[])
      .concat(signIn.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    const me = await t.app.inject({ url: '/api/me', headers: { cookie } })
    expect(me.json()).toMatchObject({ kind: 'user', id: accepted.json().id, role: 'operator' })
    const user = await t.ctx.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', accepted.json().id)
      .executeTakeFirstOrThrow()
    expect(user.name).toBe('Invited Person')

    const listed = (await list()).find((i) => i.id === invitation.id)
    expect(listed).toMatchObject({ status: 'accepted', userId: accepted.json().id })
    const audit = await t.ctx.db
      .selectFrom('audit_logs')
      .select(['action', 'actor_type', 'actor_id', 'target_id', 'new_values'])
      .where((eb) => eb.or([eb('target_id', '=', invitation.id), eb('target_id', '=', accepted.json().id)]))
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['user_invite', 'user_create'])
    expect(audit[1]).toMatchObject({ actor_type: 'system', actor_id: `invitation:${invitation.id}` })
    expect(audit[1]?.new_values).toMatchObject({ invitation: invitation.id, role: 'operator' })
  })

  it('refuses expired and revoked links, and a new invitation replaces the open one', async () => {
    const first = await invite('late@example.com', 'viewer')
    clock.advance(INVITATION_TTL_MS + 1000)
    expect((await accept(tokenOf(first.json().url))).statusCode).toBe(404)
    expect((await list()).find((i) => i.id === first.json().invitation.id)?.status).toBe('expired')

    const second = await invite('late@example.com', 'manager')
    const third = await invite('late@example.com', 'viewer')
    expect(third.statusCode).toBe(201)
    expect((await list()).find((i) => i.id === second.json().invitation.id)?.status).toBe('revoked')
    expect((await accept(tokenOf(second.json().url))).statusCode).toBe(404)

    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/users/invitations/${third.json().invitation.id}`,
      headers: await as(t.ctx, 'admin'),
    })
    expect(revoked.statusCode).toBe(200)
    expect(revoked.json().status).toBe('revoked')
    expect((await accept(tokenOf(third.json().url))).statusCode).toBe(404)
    const revokeAgain = await t.app.inject({
      method: 'DELETE',
      url: `/api/users/invitations/${third.json().invitation.id}`,
      headers: await as(t.ctx, 'admin'),
    })
    expect(revokeAgain.statusCode).toBe(404)
    expect(
      await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'late@example.com').execute(),
    ).toEqual([])
  })

  it('refuses an address that has an account, non-admins, bad input, and a weak password without using the link', async () => {
    await invite('taken@example.com')
    const open = await invite('taken2@example.com')
    expect((await accept(tokenOf(open.json().url))).statusCode).toBe(201)
    const existing = await invite('taken2@example.com')
    expect(existing.statusCode).toBe(409)

    const asManager = await t.app.inject({
      method: 'POST',
      url: '/api/users/invitations',
      headers: await as(t.ctx, 'manager'),
      payload: { email: 'x@example.com', role: 'viewer' },
    })
    expect(asManager.statusCode).toBe(403)
    for (const payload of [
      { email: 'not-an-email', role: 'viewer' },
      { email: 'x@example.com', role: 'owner' },
      { email: 'x@example.com', role: 'viewer', extra: true },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/users/invitations',
        headers: await as(t.ctx, 'admin'),
        payload,
      })
      expect(res.statusCode).toBe(400)
      expect(res.json().error.code).toBe('VALIDATION_FAILED')
    }

    const pending = await invite('weak@example.com')
    const token = tokenOf(pending.json().url)
    expect((await accept(token, 'Weak', 'short')).statusCode).toBe(400)
    expect((await accept('x'.repeat(43))).statusCode).toBe(404)
    expect((await accept('not a token')).statusCode).toBe(400)
    // the link still works after the refused attempts
    expect((await accept(token, 'Strong')).statusCode).toBe(201)
  })
})
