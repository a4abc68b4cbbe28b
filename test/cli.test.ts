import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, expect, it } from 'vitest'
import { startShopifyAdminFake } from './fakes/shopify-admin.ts'
import { describeEmbeddedCli, freePort } from './instance.ts'

/** The `sentia` command as a user runs it: real processes on a temporary DATA_DIR (embedded engine). */

const bin = path.resolve('bin/sentia.js')

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...extra }
  return env
}

function run(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: baseEnv(env),
      cwd: mkdtempSync(path.join(tmpdir(), 'sentia-cwd-')),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

interface Server {
  child: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

function startServer(env: Record<string, string>, readyWithinMs = 90_000): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'serve'], { env: baseEnv(env) })
    let output = ''
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const timer = setTimeout(
      () => reject(new Error(`server did not become ready:\n${output}`)),
      readyWithinMs,
    )
    child.stdout!.on('data', (d: Buffer) => {
      output += d
      for (const line of output.split('\n')) {
        if (!line.includes('"msg":"ready"')) continue
        clearTimeout(timer)
        resolve({ child, url: JSON.parse(line).url, output: () => output, exited })
      }
    })
    child.stderr!.on('data', (d: Buffer) => (output += d))
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)))
  })
}

describeEmbeddedCli('sentia CLI', () => {
  it('lists every command in --help', async () => {
    const result = await run(['--help'])
    expect(result.code).toBe(0)
    for (const command of ['serve', 'status', 'db:migrate', 'db:rollback', 'db:status']) {
      expect(result.stdout).toContain(command)
    }
  })

  it.each(['serve', 'status', 'db:migrate', 'db:rollback', 'db:status'])(
    'has --help for %s',
    async (command) => {
      const result = await run([command, '--help'])
      expect(result.code).toBe(0)
      expect(result.stdout).toContain(`Usage: sentia ${command}`)
    },
  )

  it('exits non-zero on an unknown command', async () => {
    const result = await run(['nonsense'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toMatch(/unknown command/)
  })

  it('refuses an invalid PORT with exit code 1 and a message naming PORT', async () => {
    const result = await run(['serve'], {
      PORT: 'abc',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-cli-')),
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('Invalid configuration: PORT')
  })

  it('fails status with a clear message when nothing answers', async () => {
    const result = await run(['status', '--url', 'http://127.0.0.1:1'])
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('cannot reach http://127.0.0.1:1')
  })
})

describeEmbeddedCli('sentia serve on the embedded engine', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-serve-'))
  const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' }
  let server: Server | undefined
  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('starts, serves health, holds the data-dir lock and stops cleanly on SIGTERM', async () => {
    server = await startServer(env)
    const lockFile = path.join(dataDir, 'sentia.lock')
    expect(existsSync(lockFile)).toBe(true)

    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
    const report = (await health.json()) as { components: { database: { engine: string } } }
    expect(report.components.database.engine).toBe('pglite')

    const status = await run(['status', '--url', server.url])
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('status: OK')
    expect(status.stdout).toMatch(/database\s+ok/)

    const second = await run(['serve'], { ...env })
    expect(second.code).not.toBe(0)
    expect(second.stderr).toContain(`in use by process ${server.child.pid}`)

    const migrateWhileRunning = await run(['db:status'], env)
    expect(migrateWhileRunning.code).toBe(1)
    expect(migrateWhileRunning.stderr).toContain(`in use by process ${server.child.pid}`)

    // one request line per request, with the runbook's fields
    const requestLine = server
      .output()
      .split('\n')
      .find((line) => line.includes('"route":"/health"'))
    expect(JSON.parse(requestLine!)).toMatchObject({ method: 'GET', status: 200, msg: 'request' })
    expect(JSON.parse(requestLine!).response_time).toBeGreaterThan(0)
    expect(JSON.parse(requestLine!).req_id).toBeTruthy()

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    expect(existsSync(lockFile)).toBe(false)
    expect(server.output()).toContain('"msg":"stopped"')
    // a new development database gets demo users, their passwords printed once
    expect(server.output()).toMatch(
      /"demoUsers":\[\{"email":"viewer@demo\.sentia\.local","role":"viewer","password":"[^"]{12,}"/,
    )
  })

  it('migrates, rolls back and reports status on the stopped data dir', async () => {
    const before = await run(['db:status', '--json'], env)
    expect(before.code).toBe(0)
    const migrations = JSON.parse(before.stdout).migrations as { name: string; executedAt: string | null }[]
    expect(migrations.length).toBeGreaterThan(0)
    expect(migrations.every((m) => m.executedAt)).toBe(true)

    const rollback = await run(['db:rollback'], env)
    expect(rollback.code).toBe(0)
    expect(rollback.stdout).toContain(`reverted ${migrations.at(-1)!.name}`)

    const pending = await run(['db:status'], env)
    expect(pending.stdout).toMatch(new RegExp(`${migrations.at(-1)!.name}\\s+pending`))

    const migrate = await run(['db:migrate'], env)
    expect(migrate.code).toBe(0)
    expect(migrate.stdout).toContain(`applied ${migrations.at(-1)!.name}`)
    expect(existsSync(path.join(dataDir, 'sentia.lock'))).toBe(false)
  })

  it('takes over a stale lock left by a killed server', async () => {
    const killed = await startServer(env)
    killed.child.kill('SIGKILL')
    await killed.exited
    expect(existsSync(path.join(dataDir, 'sentia.lock'))).toBe(true)
    server = await startServer(env)
    expect((await fetch(`${server.url}/health`)).status).toBe(200)
    expect(server.output()).not.toContain('demoUsers')
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describeEmbeddedCli('sentia serve: the demo year on a first start', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-first-'))
  let server: Server | undefined
  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('loads it in a child process before opening the new cluster, and only on the first start', async () => {
    // A fixed port: sign-in checks the request's origin against the configured one.
    const port = String(await freePort())
    const env = {
      DATA_DIR: dataDir,
      PORT: port,
      LOG_LEVEL: 'info',
      APP_ENV: 'development',
      DEMO_DATA: 'auto',
    }
    server = await startServer(env, 170_000)
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; demo?: { orders: number } })
    const messages = lines.map((line) => line.msg)
    const loaded = lines.find((line) => line.msg === 'loaded a year of demo business data')
    expect(loaded?.demo?.orders).toBeGreaterThan(40_000)
    // Before this process opened the database: the child had created and filled it.
    const at = [
      'first start: creating the database and loading a year of demo business data',
      loaded!.msg,
      'ready',
    ].map((msg) => messages.indexOf(msg))
    expect(at[0]).toBeGreaterThanOrEqual(0)
    expect(at).toEqual([...at].sort((a, b) => a - b))
    // So the server never held the memory the new cluster and the load take (about 840 MB in-process).
    const peakKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1])
    expect(peakKb).toBeLessThan(600 * 1024)
    // And this process serves it: the demo admin sees the last 30 days of orders.
    const admin = (
      lines.find((line) => 'demoUsers' in line) as unknown as {
        demoUsers: { role: string; email: string; password: string }[]
      }
    ).demoUsers.find((user) => user.role === 'admin')!
    const signIn = await fetch(`${server.url}/api/auth/sign-in/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const overview = (await (
      await fetch(`${server.url}/api/kpis/overview`, { headers: { cookie } })
    ).json()) as {
      revenue: { last30Days: { orders: number } }
    }
    expect(overview.revenue.last30Days.orders).toBeGreaterThan(1000)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)

    server = await startServer(env)
    expect(server.output()).not.toContain('demo business data')
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})

describeEmbeddedCli('sentia apikey commands', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sentia-keys-'))
  const env = { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', DEMO_DATA: 'false' }
  let server: Server | undefined
  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('manages keys on the local database and against a running instance', async () => {
    const created = await run(['apikey:create', '--name', 'ops laptop', '--role', 'admin', '--json'], env)
    expect(created.code, created.stderr).toBe(0)
    const { key, apiKey } = JSON.parse(created.stdout) as { key: string; apiKey: { id: string } }
    expect(key).toMatch(/^sk_/)

    const badRole = await run(['apikey:create', '--name', 'x', '--role', 'root'], env)
    expect(badRole.code).toBe(1)
    expect(badRole.stderr).toContain('--role must be one of')

    server = await startServer({ ...env, LOG_LEVEL: 'info' })
    const remote = ['--url', server.url, '--api-key', key]

    const viewer = await run(['apikey:create', '--name', 'grafana', '--role', 'viewer', '--json', ...remote])
    expect(viewer.code, viewer.stderr).toBe(0)
    const viewerKey = JSON.parse(viewer.stdout) as { key: string; apiKey: { id: string } }

    const status = await run(['status', '--url', server.url, '--api-key', viewerKey.key])
    expect(status.code).toBe(0)
    expect(status.stdout).toContain('requests (5 min)')
    expect(status.stdout).toMatch(/open alerts: \d+ firing, \d+ pending/)
    expect(status.stdout).toContain('open incidents: 0')

    const rotated = await run(['apikey:rotate', viewerKey.apiKey.id, '--overlap-hours', '1', ...remote])
    expect(rotated.code, rotated.stderr).toBe(0)
    expect(rotated.stdout).toContain('The old key stops working at')

    const denied = await run(['apikey:list', '--url', server.url, '--api-key', viewerKey.key])
    expect(denied.code).toBe(1)
    expect(denied.stderr).toContain('HTTP 403')

    const list = await run(['apikey:list', '--json', ...remote])
    const names = (JSON.parse(list.stdout).items as { name: string; state: string }[]).map(
      (k) => `${k.name}:${k.state}`,
    )
    expect(names).toEqual(expect.arrayContaining(['ops laptop:active', 'grafana:active', 'grafana:expiring']))

    const revoked = await run(['apikey:revoke', viewerKey.apiKey.id, ...remote])
    expect(revoked.code, revoked.stderr).toBe(0)

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)

    const all = await run(['apikey:list', '--all', '--json'], env)
    const states = (JSON.parse(all.stdout).items as { id: string; state: string }[]).find(
      (k) => k.id === viewerKey.apiKey.id,
    )
    expect(states?.state).toBe('revoked')
    const local = await run(['apikey:revoke', apiKey.id], env)
    expect(local.stdout).toContain(`Revoked API key ${apiKey.id}`)
  })
})

describeEmbeddedCli('sentia incidents commands', () => {
  it('creates, lists, updates and resolves incidents on the local database', async () => {
    const env = {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-incidents-')),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
    }
    const created = await run(
      [
        'incidents:create',
        '--title',
        'Checkout failing',
        '--severity',
        'p0',
        '--components',
        'checkout, payments',
        '--json',
      ],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    const incident = (
      JSON.parse(created.stdout) as {
        items: { id: string; severity: string; source: string; components: string[] }[]
      }
    ).items[0]!
    expect(incident).toMatchObject({ severity: 'P0', source: 'cli', components: ['checkout', 'payments'] })

    const bad = await run(['incidents:create', '--title', 'x', '--severity', 'P9'], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('--severity must be one of P0, P1, P2, P3')

    const updated = await run(['incidents:update', incident.id, '--status', 'mitigating'], env)
    expect(updated.code, updated.stderr).toBe(0)
    expect(updated.stdout).toContain('mitigating')

    const resolved = await run(['incidents:resolve', incident.id, '--json'], env)
    expect(JSON.parse(resolved.stdout).items[0]).toMatchObject({
      status: 'resolved',
      postmortem: { status: 'draft' },
    })
    const open = await run(['incidents:list', '--json'], env)
    expect(JSON.parse(open.stdout).items).toEqual([])
    const all = await run(['incidents:list', '--state', 'all'], env)
    expect(all.stdout).toContain('Checkout failing')
  })
})

describeEmbeddedCli('sentia ip commands', () => {
  it('blocks, lists and unblocks on the local database', async () => {
    const env = {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-ip-')),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
    }
    const blocked = await run(
      ['ip:block', '203.0.113.0/24', '--reason', 'scanner', '--until', '2h', '--json'],
      env,
    )
    expect(blocked.code, blocked.stderr).toBe(0)
    const [block] = JSON.parse(blocked.stdout).items as { cidr: string; active: boolean; expiresAt: string }[]
    expect(block).toMatchObject({ cidr: '203.0.113.0/24', active: true })
    expect(Date.parse(block!.expiresAt)).toBeGreaterThan(Date.now() + 3_500_000)

    const bad = await run(['ip:block', 'not-an-ip'], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('is not an IP address')

    const list = await run(['ip:list'], env)
    expect(list.stdout).toMatch(/203\.0\.113\.0\/24\s+manual\s+yes/)

    const lifted = await run(['ip:unblock', '203.0.113.0/24', '--json'], env)
    expect(lifted.code, lifted.stderr).toBe(0)
    expect(JSON.parse(lifted.stdout).items[0].active).toBe(false)
    expect((await run(['ip:unblock', '203.0.113.0/24'], env)).code).toBe(1)
  })
})

describeEmbeddedCli('sentia users commands', () => {
  it('creates an account with a generated password, lists it and changes its role', async () => {
    const env = {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-users-')),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
    }
    const created = await run(
      ['users:create', '--email', 'ops@example.com', '--role', 'operator', '--json'],
      env,
    )
    expect(created.code, created.stderr).toBe(0)
    const { user, password } = JSON.parse(created.stdout) as {
      user: { id: string; role: string }
      password: string
    }
    expect(user.role).toBe('operator')
    expect(password.length).toBeGreaterThanOrEqual(12)

    const raised = await run(['users:set-role', 'ops@example.com', 'manager'], env)
    expect(raised.code, raised.stderr).toBe(0)
    expect(raised.stdout).toMatch(/ops@example\.com\s+ops\s+manager\s+active/)

    const bad = await run(['users:set-role', 'ops@example.com', 'owner'], env)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('role must be one of')

    const invited = await run(['users:invite', 'new@example.com', '--role', 'viewer'], env)
    expect(invited.code, invited.stderr).toBe(0)
    expect(invited.stdout).toMatch(/Link \(shown this once\): http\S+\/accept-invitation#[\w-]{43}/)
    const invitations = await run(['users:invitations'], env)
    expect(invitations.stdout).toMatch(/new@example\.com\s+viewer\s+open/)
    expect((await run(['users:invite', 'ops@example.com', '--role', 'viewer'], env)).code).toBe(1)
  })
})

describeEmbeddedCli('sentia db:seed and db:rebuild', () => {
  it('loads demo data once, refuses a second load, and rebuilds the derived tables', async () => {
    const env = {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-seed-')),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
    }
    const seeded = await run(['db:seed', '--demo', '--days', '5', '--json'], env)
    expect(seeded.code, seeded.stderr).toBe(0)
    expect(JSON.parse(seeded.stdout).orders).toBeGreaterThan(100)
    const again = await run(['db:seed', '--demo', '--days', '5'], env)
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already has business data')
    expect((await run(['db:seed', '--demo', '--days', '0'], env)).stderr).toContain('--days must be')
    const rebuilt = await run(['db:rebuild'], env)
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    expect(rebuilt.stdout).toContain('Rebuilt stock levels and sales rollups')
  })
})

describeEmbeddedCli('sentia connectors commands', () => {
  it('lists connectors, syncs one against its service, and skips it while forced open', async () => {
    const fake = await startShopifyAdminFake()
    try {
      const env = {
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-connectors-')),
        LOG_LEVEL: 'warn',
        DEMO_DATA: 'false',
        SHOPIFY_ADMIN_URL: fake.url,
        SHOPIFY_ADMIN_TOKEN: fake.token,
      }
      const listed = await run(['connectors:list', '--json'], env)
      expect(listed.code, listed.stderr).toBe(0)
      const items = JSON.parse(listed.stdout).items as { name: string; configured: boolean }[]
      expect(items.find((c) => c.name === 'shopify')).toMatchObject({ configured: true })
      expect(items.find((c) => c.name === 'xero')).toMatchObject({ configured: false })

      const synced = await run(['connectors:sync', 'shopify', '--since', '2026-01-01'], env)
      expect(synced.code, synced.stderr).toBe(0)
      expect(synced.stdout).toContain('shopify: fetched 0, written 0, skipped 0')
      expect(fake.requests.find((r) => r.path.endsWith('/orders.json'))?.query.get('updated_at_min')).toBe(
        '2026-01-01T00:00:00.000Z',
      )

      expect((await run(['connectors:breaker', 'shopify', 'open'], env)).stdout).toContain(
        'shopify: circuit breaker forced open.',
      )
      const forced = await run(['connectors:sync', 'shopify'], env)
      expect(forced.code).toBe(2)
      expect(forced.stderr).toContain('skipped: the circuit breaker was forced open by system:cli')
    } finally {
      await fake.close()
    }
  })
})

describeEmbeddedCli('sentia simulate', () => {
  const env = {
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sentia-sim-')),
    PORT: '0',
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
  }
  let server: Server | undefined
  afterAll(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL')
  })

  it('books live orders on the local database, and through a running instance with --url', async () => {
    expect((await run(['simulate', '--rate', '0'], env)).stderr).toContain('--rate must be')
    expect((await run(['db:seed', '--demo', '--days', '2'], env)).code).toBe(0)
    const local = await run(['simulate', '--rate', '5', '--duration', '2', '--seed', '4', '--json'], env)
    expect(local.code, local.stderr).toBe(0)
    const report = JSON.parse(local.stdout) as { seed: number; orders: number; visits: number }
    expect(report.seed).toBe(4)
    expect(report.orders).toBeGreaterThan(0)
    expect(report.visits).toBeGreaterThan(0)

    const created = await run(['apikey:create', '--name', 'simulator', '--role', 'manager', '--json'], env)
    const { key } = JSON.parse(created.stdout) as { key: string }
    server = await startServer({ ...env, LOG_LEVEL: 'info' })
    const locked = await run(['simulate', '--duration', '1'], env)
    expect(locked.code).toBe(1)
    expect(locked.stderr).toContain('sentia simulate --url')
    const remote = await run(
      ['simulate', '--rate', '5', '--duration', '2', '--json', '--url', server.url, '--api-key', key],
      env,
    )
    expect(remote.code, remote.stderr).toBe(0)
    expect(JSON.parse(remote.stdout).orders).toBeGreaterThan(0)
    const orders = await fetch(`${server.url}/api/orders?limit=500`, {
      headers: { authorization: `Bearer ${key}` },
    })
    const sim = ((await orders.json()) as { items: { externalId: string | null }[] }).items.filter((o) =>
      o.externalId?.startsWith('sim-'),
    )
    expect(sim.length).toBe(report.orders + JSON.parse(remote.stdout).orders)
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})
