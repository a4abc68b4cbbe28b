import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, type RunningInstance, runSentia, startInstance } from '../../test/instance.ts'
import { createApiKey } from '../modules/apikeys/service.ts'
import { createUser } from '../modules/auth/users.ts'
import { formatReport } from './checks.ts'
import { criticalPath } from './critical-path.ts'

const system = { type: 'system' as const, id: 'test' }
/** Harness only: a request that hangs must not hang the test run; nothing asserts on time. */
const timeoutMs = 60_000
const PASSWORD = 'critical path password 1234'

const MAIN_STEPS = [
  'GET /api/me: may create orders',
  'find an active product, channel and market with stock',
  /^read the stock of \S+ at \S+$/,
  /^read the KPI: orders of \S+, \d\d:00–\d\d:00 UTC$/,
  'create an order: POST /api/orders with an Idempotency-Key',
  'the same request again answers the same order (idempotent)',
  'it is listed: GET /api/orders?status=pending',
  'the KPI counts it',
  /^the stock is reserved for it at \S+$/,
  'cancel it: PATCH /api/orders/:id',
  'the reservation is released',
  'its history shows pending → cancelled',
]

describe('test:critical-path against a running instance', () => {
  let instance: RunningInstance
  let operatorKey: string
  let viewerKey: string
  beforeAll(async () => {
    // PUBLIC_URL names the address the check uses, as in a deployment (sign-out checks the Origin against it).
    const port = await freePort()
    instance = await startInstance({
      port,
      demoDays: 14,
      env: {
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        RATE_LIMIT_PER_MINUTE: '100000',
        SIGNIN_RATE_LIMIT_PER_MINUTE: '1000',
      },
    })
    await createUser(
      instance.ctx,
      { email: 'ops@example.com', name: 'Ops', role: 'operator', password: PASSWORD },
      system,
    )
    operatorKey = (await createApiKey(instance.ctx, { name: 'hotfix check', role: 'operator' }, system)).key
    viewerKey = (await createApiKey(instance.ctx, { name: 'read only', role: 'viewer' }, system)).key
  })
  afterAll(() => instance.close())

  const target = () => ({ url: instance.url, from: '--url' as const })
  const ordersOfTheCheck = () =>
    instance.ctx.db
      .selectFrom('orders')
      .select(['id', 'status', 'external_id', 'channel_code', 'location_code'])
      .where('external_id', 'like', 'critical-path-%')
      .orderBy('placed_at')
      .execute()
  const rollups = async () => {
    const row = await instance.ctx.db
      .selectFrom('order_totals_hourly')
      .select((eb) => [
        eb.fn.sum<string>('orders').as('orders'),
        eb.fn.sum<string>('revenue_base').as('revenue'),
      ])
      .executeTakeFirstOrThrow()
    return { orders: Number(row.orders), revenue: Number(row.revenue) }
  }
  const levels = () =>
    instance.ctx.db
      .selectFrom('stock_levels')
      .select(['sku', 'location_code', 'on_hand', 'reserved'])
      .orderBy('sku')
      .orderBy('location_code')
      .execute()

  it('goes end to end signed in as a person: order created, seen, counted, reserved, cancelled, released', async () => {
    const [rollupsBefore, levelsBefore] = [await rollups(), await levels()]
    const report = await criticalPath({
      target: target(),
      credentials: { kind: 'password', email: 'ops@example.com', password: PASSWORD },
      timeoutMs,
    })
    expect(report.checks.filter((c) => c.outcome !== 'passed')).toEqual([])
    expect(report).toMatchObject({ ok: true, failed: 0, notRun: 0, actingAs: 'ops@example.com (signed in)' })
    const names = report.checks.map((c) => c.name)
    expect(names[0]).toBe('sign in as ops@example.com')
    expect(names.at(-1)).toBe('sign out')
    expect(names.slice(1, -1)).toHaveLength(MAIN_STEPS.length)
    for (const [i, step] of MAIN_STEPS.entries()) {
      if (typeof step === 'string') expect(names[i + 1]).toBe(step)
      else expect(names[i + 1]).toMatch(step)
    }
    for (const check of report.checks) expect(check.ms).toBeGreaterThanOrEqual(0)

    // What it leaves behind: one cancelled order tagged critical-path-, nothing held, figures as they were.
    const orders = await ordersOfTheCheck()
    expect(orders).toHaveLength(1)
    const [order] = orders
    expect(order).toMatchObject({ status: 'cancelled' })
    expect(order!.external_id).toMatch(/^critical-path-\d{8}T\d{9}Z-[0-9a-f]{8}$/)
    const held = await instance.ctx.db
      .selectFrom('stock_reservations')
      .selectAll()
      .where('order_id', '=', order!.id)
      .execute()
    expect(held).toEqual([])
    expect(await levels()).toEqual(levelsBefore)
    expect(await rollups()).toEqual(rollupsBefore)
    const history = await instance.ctx.db
      .selectFrom('order_status_history')
      .select(['from_status', 'to_status', 'reason'])
      .where('order_id', '=', order!.id)
      .execute()
    expect(history).toEqual([
      {
        from_status: 'pending',
        to_status: 'cancelled',
        reason: 'critical-path check: cancelled by the check that created it',
      },
    ])
    // Signed out: the session it made is gone.
    const user = await instance.ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'ops@example.com')
      .executeTakeFirstOrThrow()
    expect(
      await instance.ctx.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute(),
    ).toEqual([])

    const step = (prefix: string) => report.checks.find((c) => c.name.startsWith(prefix))!
    expect(step('create an order').detail).toContain(`order ${order!.id} (${order!.external_id})`)
    expect(step('the stock is reserved').detail).toMatch(/^the order holds 1; reserved \d+ → \d+, available/)
    expect(step('the reservation is released').detail).toMatch(/, back to where it was$/)
    expect(step('the KPI counts it').detail).toMatch(/^orders (\d+) → \d+, revenue/)
    const text = formatReport(report)
    expect(text.split('\n')[0]).toBe(
      `test:critical-path against ${instance.url} (from --url) as ops@example.com (signed in)`,
    )
    expect(text.trimEnd().split('\n').at(-1)).toBe(`all ${report.checks.length} checks passed`)
  })

  it('as a command with an operator API key: exit 0, a second cancelled order', async () => {
    const result = await runSentia(['test:critical-path', '--quantity', '2'], {
      BASE_URL: instance.url,
      SENTIA_API_KEY: operatorKey,
    })
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout.split('\n')[0]).toBe(
      `test:critical-path against ${instance.url} (from BASE_URL) as an API key`,
    )
    expect(result.stdout).toContain('✓ the stock is reserved for it at ')
    expect(result.stdout).toMatch(/the order holds 2;/)
    const orders = await ordersOfTheCheck()
    expect(orders.map((o) => o.status)).toEqual(['cancelled', 'cancelled'])
  })

  it('exits 1 with a wrong password, creating nothing', async () => {
    const result = await runSentia(['test:critical-path', '--url', instance.url], {
      SENTIA_EMAIL: 'ops@example.com',
      SENTIA_PASSWORD: 'not the password at all',
      SENTIA_API_KEY: operatorKey,
    })
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(
      /^✗ sign in as ops@example.com +401 +\d+ ms {2}expected HTTP 200, got 401 \(INVALID_EMAIL_OR_PASSWORD: /m,
    )
    expect(result.stdout).toContain('– GET /api/me: may create orders')
    expect(result.stdout).toContain('not run: "sign in as ops@example.com" failed')
    expect(result.stdout).not.toContain('sign out')
    expect(await ordersOfTheCheck()).toHaveLength(2)
  })

  it('stops a viewer before it creates anything', async () => {
    const report = await criticalPath({
      target: target(),
      credentials: { kind: 'apikey', apiKey: viewerKey },
      timeoutMs,
    })
    expect(report.ok).toBe(false)
    expect(report.checks[0]).toMatchObject({
      name: 'GET /api/me: may create orders',
      outcome: 'failed',
      status: 200,
      reason: 'read only is a viewer: creating orders needs operator or higher',
    })
    expect(report.checks.slice(1).every((c) => c.outcome === 'not run')).toBe(true)
    expect(report.notRun).toBe(MAIN_STEPS.length - 1)
    expect(await ordersOfTheCheck()).toHaveLength(2)
  })

  it('exits 2 without credentials, or with an email but no password', async () => {
    const none = await runSentia(['test:critical-path', '--url', instance.url])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no credentials: set SENTIA_EMAIL and SENTIA_PASSWORD')
    const noPassword = await runSentia([
      'test:critical-path',
      '--url',
      instance.url,
      '--email',
      'ops@example.com',
    ])
    expect(noPassword.code).toBe(2)
    expect(noPassword.stderr).toContain('signing in as ops@example.com needs SENTIA_PASSWORD')
  })

  it('stays right while other orders of the same product come and go at the same location', async () => {
    const operator = { authorization: `Bearer ${operatorKey}` }
    const send = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
      const res = await instance.app.inject({ method, url, headers: operator, payload })
      expect(res.statusCode).toBeLessThan(300)
      return res.json() as { id: string }
    }
    await send('POST', '/api/stock-movements', {
      kind: 'receipt',
      sku: 'GABA-RED',
      location: 'UK-WH',
      quantity: 500,
    })
    // Between the check's requests: orders reserve the same stock, are paid and shipped, or are
    // cancelled (those placed two days ago, outside the KPI window the check reads).
    let done = false
    const shipped: string[] = []
    const cancelled: string[] = []
    // At least three rounds, however quickly the check finishes, and on while it runs.
    const traffic = async () => {
      while ((!done || shipped.length < 3) && shipped.length < 200) {
        const kept = await send('POST', '/api/orders', {
          channel: 'shopify-uk',
          lines: [{ sku: 'GABA-RED', quantity: 2 }],
        })
        const old = await send('POST', '/api/orders', {
          channel: 'shopify-uk',
          placedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
          lines: [{ sku: 'GABA-RED', quantity: 3 }],
        })
        await send('PATCH', `/api/orders/${old.id}`, { status: 'cancelled' })
        await send('PATCH', `/api/orders/${kept.id}`, { status: 'paid' })
        await send('PATCH', `/api/orders/${kept.id}`, { status: 'fulfilled' })
        shipped.push(kept.id)
        cancelled.push(old.id)
      }
    }
    const run = criticalPath({
      target: target(),
      credentials: { kind: 'apikey', apiKey: operatorKey },
      timeoutMs,
      sku: 'GABA-RED',
      channel: 'shopify-uk',
    }).finally(() => {
      done = true
    })
    const [report] = await Promise.all([run, traffic()])
    expect(report.checks.filter((c) => c.outcome !== 'passed')).toEqual([])
    // The traffic's own orders ended as it moved them.
    const moved = await instance.ctx.db
      .selectFrom('orders')
      .select(['id', 'status'])
      .where('id', 'in', [...shipped, ...cancelled])
      .execute()
    const statusOf = new Map(moved.map((o) => [o.id, o.status]))
    expect(shipped.map((id) => statusOf.get(id))).toEqual(shipped.map(() => 'fulfilled'))
    expect(cancelled.map((id) => statusOf.get(id))).toEqual(cancelled.map(() => 'cancelled'))
    const orders = await ordersOfTheCheck()
    expect(orders.map((o) => o.status)).toEqual(['cancelled', 'cancelled', 'cancelled'])
  })

  // Last: the fault it injects leaves the test database's rollups skewed.
  it('cancels its order when a step after the creation fails', async () => {
    // A broken deploy that stores orders a day earlier than it answers: the pending list misses it.
    await sql`create function test_shift_placed_at() returns trigger language plpgsql as $$
      begin new.placed_at := new.placed_at - interval '1 day'; return new; end $$`.execute(instance.ctx.db)
    await sql`create trigger test_shift_placed_at before insert on orders
      for each row execute function test_shift_placed_at()`.execute(instance.ctx.db)
    try {
      const report = await criticalPath({
        target: target(),
        credentials: { kind: 'apikey', apiKey: operatorKey },
        timeoutMs,
      })
      expect(report.ok).toBe(false)
      const listed = report.checks.find((c) => c.name === 'it is listed: GET /api/orders?status=pending')!
      expect(listed).toMatchObject({ outcome: 'failed', status: 200 })
      expect(listed.reason).toMatch(/^order \S+ is not among the \d+ listed$/)
      const orders = await ordersOfTheCheck()
      expect(orders).toHaveLength(4)
      const made = orders.find((o) => o.id === /^order (\S+) is not/.exec(listed.reason!)?.[1])!
      expect(made.status).toBe('cancelled')
      expect(report.checks.at(-1)).toMatchObject({
        name: `clean up: cancel order ${made.id}`,
        outcome: 'passed',
        status: 200,
      })
      expect(report.checks.filter((c) => c.outcome === 'not run').map((c) => c.name)).toEqual([
        'the KPI counts it',
        expect.stringMatching(/^the stock is reserved for it at /),
        'cancel it: PATCH /api/orders/:id',
        'the reservation is released',
        'its history shows pending → cancelled',
      ])
      const held = await instance.ctx.db
        .selectFrom('stock_reservations')
        .selectAll()
        .where('order_id', '=', made.id)
        .execute()
      expect(held).toEqual([])
    } finally {
      await sql`drop trigger test_shift_placed_at on orders`.execute(instance.ctx.db)
    }
  })
})
