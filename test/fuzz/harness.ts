import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { createApiKey } from '../../server/modules/apikeys/service.ts'
import { signatureOf } from '../../server/modules/integrations/shopify/webhook.ts'
import { blocklistOf } from '../../server/modules/security/blocklist.ts'
import { buildTestApp, type TestApp } from '../app.ts'
import { insertCatalogAndRates } from '../business.ts'
import { SIDE_EFFECTS, wildcardPaths } from './hints.ts'
import { BAD_AUTHORIZATION, BAD_COOKIES } from './payloads.ts'
import { type Outcome, problemsOf } from './properties.ts'
import { type AuthMode, caseLabel, encode, type FuzzCase, headerSafe, type RouteInfo } from './requests.ts'
import { validator } from './schema-check.ts'

/**
 * The app under fuzzing and everything around one case: the fuzzer's credentials (several admin
 * API keys, a viewer key, an admin session, a disposable session for better-auth's endpoints),
 * ids seen in earlier answers, turning a case into a request, reading the answer, putting back
 * what side-effect routes changed, and the status tally.
 */

const PASSWORD = 'fuzzing is a long enough password'
const WEBHOOK_SECRET = 'fuzz-secret-0123456789abcdef'
/** Per-key route limits (20 error reports a minute) are spread over several admin keys. */
const ADMIN_KEYS = 8
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
/** An answer that takes longer than this is a hang, reported as a problem. */
const ANSWER_TIMEOUT_MS = 20_000

export interface Session {
  email: string
  userId: string
  cookie: string
}

export class Harness {
  readonly app: FastifyInstance
  readonly routes: RouteInfo[]
  readonly wildcards: Record<string, string[]>
  /** Ids of the fuzzer's own keys and accounts: never reused as path parameters. */
  readonly protectedIds = new Set<string>()
  readonly statuses = new Map<string, Map<number, number>>()
  readonly validStatuses = new Map<string, Map<number, number>>()
  /** Values earlier answers returned, by the name of the path parameter or body field they can fill. */
  readonly known = new Map<string, string[]>()
  disposableSessions = 0
  private adminKeys: string[] = []
  private viewerKey = ''
  private session!: Session
  private disposable: Session | undefined
  /** Names of path parameters and body fields: the only ones worth remembering values for. */
  private readonly fieldNames: Set<string>

  private constructor(
    readonly t: TestApp,
    private readonly webDir: string,
  ) {
    this.app = t.app
    this.routes = listRoutes(t.app)
    this.fieldNames = new Set(this.routes.flatMap(fieldNamesOf))
    this.wildcards = wildcardPaths(t.ctx, webDir)
  }

  static async create(): Promise<Harness> {
    const webDir = stubWebApp()
    const t = await buildTestApp({
      // An API replica: jobs can be queued (health is up) but none runs, so queued syncs,
      // notifications and imports stay rows.
      role: 'api',
      env: {
        // The fuzzer sends thousands of requests a minute from one address and a few keys.
        RATE_LIMIT_PER_MINUTE: '1000000',
        SIGNIN_RATE_LIMIT_PER_MINUTE: '10000',
        AUTO_BLOCK_FAILED_LOGINS: '0',
        LOGIN_MAX_FAILURES: '1000',
        SHOPIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
        WEB_DIR: webDir,
      },
    })
    await insertCatalogAndRates(t.ctx)
    const harness = new Harness(t, webDir)
    await harness.createCredentials()
    await harness.harvestLists()
    return harness
  }

  get authAccount(): { email: string; password: string } {
    return { email: 'auth-fuzz-1@example.com', password: PASSWORD }
  }

  async close(): Promise<void> {
    await this.t.close()
    rmSync(this.webDir, { recursive: true, force: true })
  }

  private async createCredentials(): Promise<void> {
    const actor = { type: 'system', id: 'fuzz' } as const
    for (let i = 0; i < ADMIN_KEYS; i++) {
      const issued = await createApiKey(this.t.ctx, { name: `fuzz admin ${i}`, role: 'admin' }, actor)
      this.adminKeys.push(issued.key)
      this.protectedIds.add(issued.apiKey.id)
    }
    const viewer = await createApiKey(this.t.ctx, { name: 'fuzz viewer', role: 'viewer' }, actor)
    this.viewerKey = viewer.key
    this.protectedIds.add(viewer.apiKey.id)
    this.session = await this.newSession('fuzz-admin@example.com')
  }

  /** Creates an admin account and signs it in. */
  private async newSession(email: string): Promise<Session> {
    const created = await this.asAdmin('POST', '/api/users', {
      email,
      name: 'Fuzz',
      role: 'admin',
      password: PASSWORD,
    })
    if (created.statusCode !== 201) throw new Error(`cannot create ${email}: ${created.body}`)
    const userId = created.json().id as string
    this.protectedIds.add(userId)
    return { email, userId, cookie: await this.signIn(email) }
  }

  private async signIn(email: string): Promise<string> {
    const response = await this.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in/email',
      payload: { email, password: PASSWORD },
    })
    const cookie = ([] as string[])
      .concat(response.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0])
      .join('; ')
    if (response.statusCode !== 200 || !cookie.includes('session_token'))
      throw new Error(`cannot sign in ${email}: ${response.statusCode} ${response.body}`)
    return cookie
  }

  /** A request as the first admin key; a string payload goes as `contentType` (JSON by default). */
  asAdmin(method: InjectOptions['method'], url: string, payload?: unknown, contentType = 'application/json') {
    const text = typeof payload === 'string'
    return this.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${this.adminKeys[0]}`,
        ...(text ? { 'content-type': contentType } : {}),
      },
      ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }),
    })
  }

  /** Reads every list once, so ids that exist are known before the routes that take them. */
  private async harvestLists(): Promise<void> {
    for (const route of this.routes) {
      if (route.method !== 'GET' || route.url.includes(':') || route.url.includes('*')) continue
      if (route.url === '/api/events') continue // a stream that never ends
      const response = await this.asAdmin('GET', route.url)
      this.harvest(
        response.statusCode,
        String(response.headers['content-type'] ?? ''),
        response.body,
        route.url,
      )
    }
  }

  /**
   * The disposable account whose session better-auth's endpoints get: a case may sign it out,
   * change its password or turn on two-factor sign-in, and then a new account is made.
   */
  private async disposableSession(): Promise<Session> {
    if (this.disposable) {
      const me = await this.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: this.disposable.cookie },
      })
      if (me.statusCode === 200) return this.disposable
      const again = await this.signIn(this.disposable.email).catch(() => undefined)
      if (again) {
        this.disposable.cookie = again
        return this.disposable
      }
    }
    this.disposableSessions += 1
    this.disposable = await this.newSession(`auth-fuzz-${this.disposableSessions}@example.com`)
    return this.disposable
  }

  /** Sends one case and returns what is wrong with the answer (nothing when all is well). */
  async check(route: RouteInfo, c: FuzzCase): Promise<string[]> {
    const effect = SIDE_EFFECTS[route.key]
    const session = effect?.policy === 'disposable-session' ? await this.disposableSession() : this.session
    const request = this.toRequest(route, c, session)
    let outcome: Outcome
    try {
      outcome = await this.send(request, mayStream(route))
    } catch (error) {
      return [`no answer: ${(error as Error).message}`]
    }
    this.tally(route.key, outcome.status, caseLabel(c) === 'valid')
    this.harvest(outcome.status, outcome.contentType, outcome.body, route.url)
    if (effect?.policy === 'restore' && outcome.status < 300) await this.restore(effect.restore)
    const problems = problemsOf(route.key, outcome)
    if (problems.length > 0) problems.push(`sent: ${describeRequest(request)}`)
    return problems
  }

  private toRequest(route: RouteInfo, c: FuzzCase, session: Session): InjectOptions {
    const value = (name: string) => {
      const pick = c.path.known[name]
      const known = pick === undefined ? undefined : this.known.get(name)
      return pick !== undefined && known && known.length > 0
        ? encode(known[pick % known.length]!)
        : c.path.values[name]!
    }
    const pathname = route.url
      .replace(/:(\w+)/g, (_, name: string) => value(name))
      .replace(/\*$/, () => value('*'))
    const url = c.query.text ? `${pathname}?${c.query.text}` : pathname
    const headers: Record<string, string> = {
      ...c.headers.values,
      ...this.authHeaders(c.auth.mode, c.auth.pick, route.method, session),
    }
    if (c.body.contentType !== undefined) headers['content-type'] = c.body.contentType
    const request: InjectOptions = { method: route.method as InjectOptions['method'], url, headers }
    if (c.body.payload !== undefined) request.payload = c.body.payload
    if (c.body.value !== undefined && c.body.known !== undefined && !c.body.refused && route.schema.body)
      request.payload = JSON.stringify(this.withKnown(c.body.value, c.body.known, route.schema.body))
    if (route.key === 'POST /api/integrations/shopify/webhooks/orders') this.sign(request, c)
    return request
  }

  private authHeaders(
    mode: AuthMode,
    pick: number,
    method: string,
    session: Session,
  ): Record<string, string> {
    const origin = this.t.ctx.config.publicUrl
    const sameSite: Record<string, string> = WRITES.has(method) ? { origin } : {}
    switch (mode) {
      case 'admin-key':
        return { authorization: `Bearer ${this.adminKeys[pick % this.adminKeys.length]}` }
      case 'admin-session':
        return { cookie: session.cookie, ...sameSite }
      case 'viewer-key':
        return { authorization: `Bearer ${this.viewerKey}` }
      case 'none':
        return {}
      case 'bad-bearer':
        return { authorization: headerSafe(BAD_AUTHORIZATION[pick % BAD_AUTHORIZATION.length]!) }
      case 'bad-cookie':
        return { cookie: headerSafe(BAD_COOKIES[pick % BAD_COOKIES.length]!) }
      case 'cross-site':
        return { cookie: session.cookie, origin: 'https://evil.example' }
      case 'key-and-session':
        return { authorization: `Bearer ${this.adminKeys[0]}`, cookie: session.cookie, ...sameSite }
    }
  }

  /** Three webhook cases in four carry a genuine signature and a fresh time, so the handler is reached. */
  private sign(request: InjectOptions, c: FuzzCase): void {
    const headers = request.headers as Record<string, string>
    if (c.auth.pick % 4 === 0 || headers['x-shopify-hmac-sha256'] === undefined) return
    const body =
      request.payload === undefined ? Buffer.alloc(0) : Buffer.from(request.payload as string | Buffer)
    headers['x-shopify-hmac-sha256'] = signatureOf(WEBHOOK_SECRET, body)
    headers['x-shopify-triggered-at'] = new Date().toISOString()
  }

  /**
   * Injects and reads the answer. A route that may stream (an event stream never ends) is read as
   * a stream: to its end, or to its first chunk for an event stream, which is then dropped.
   */
  private async send(request: InjectOptions, stream: boolean): Promise<Outcome> {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)),
        ANSWER_TIMEOUT_MS,
      )
    })
    try {
      const answer = stream ? this.sendAndRead(request, controller) : this.sendWhole(request)
      return await Promise.race([answer, timeout])
    } finally {
      clearTimeout(timer)
      controller.abort()
    }
  }

  private async sendWhole(request: InjectOptions): Promise<Outcome> {
    return outcomeOf(String(request.method), await this.app.inject(request))
  }

  private async sendAndRead(request: InjectOptions, controller: AbortController): Promise<Outcome> {
    const response = await this.app.inject({ ...request, payloadAsStream: true, signal: controller.signal })
    const contentType = String(response.headers['content-type'] ?? '')
    const chunks: Buffer[] = []
    // An event stream never ends: its first chunk is enough.
    const stream = contentType.startsWith('text/event-stream')
    for await (const chunk of response.stream()) {
      chunks.push(Buffer.from(chunk))
      if (stream) break
    }
    return {
      method: String(request.method),
      status: response.statusCode,
      contentType,
      body: Buffer.concat(chunks).toString('utf8'),
    }
  }

  private tally(key: string, status: number, valid: boolean): void {
    for (const [map, counted] of [
      [this.statuses, true],
      [this.validStatuses, valid],
    ] as const) {
      if (!counted) continue
      const byStatus = map.get(key) ?? new Map<number, number>()
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1)
      map.set(key, byStatus)
    }
  }

  /**
   * A valid body with its string fields named like known values set to one of them (picked by
   * `pick`), each only where the body stays valid.
   */
  private withKnown(value: unknown, pick: number, schema: object): unknown {
    const check = validator(schema, 'body')
    const body = structuredClone(value)
    stringFields(body).forEach(([holder, key], i) => {
      const known = this.known.get(key)
      if (!known || known.length === 0) return
      const before = holder[key]
      holder[key] = known[(pick + i) % known.length]
      if (!check(body)) holder[key] = before
    })
    return body
  }

  /**
   * Remembers ids, codes and names from a successful JSON answer, by field name, for path
   * parameters and body fields of the same name. A list route's items are also remembered
   * under its noun: `/api/channels` → `channel` (their code) and `channelId` (their id).
   */
  private harvest(status: number, contentType: string, body: string, url = ''): void {
    if (status >= 300 || !contentType.includes('json') || body.length > 1_000_000) return
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return
    }
    const items = (parsed as { items?: unknown })?.items
    const list = Array.isArray(items) ? items.slice(0, 20) : []
    const noun = /^\/api\/(?:[\w-]+\/)*(?:[\w]+-)?([a-z]+)s$/.exec(url)?.[1]
    for (const object of [parsed, ...list]) {
      if (!object || typeof object !== 'object') continue
      for (const [key, value] of Object.entries(object)) this.remember(key, value)
      if (noun && object !== parsed) {
        const { code, id } = object as { code?: unknown; id?: unknown }
        this.remember(noun, code)
        this.remember(`${noun}Id`, id)
      }
    }
  }

  private remember(key: string, value: unknown): void {
    if (!this.fieldNames.has(key) || (typeof value !== 'string' && typeof value !== 'number')) return
    const text = String(value)
    if (this.protectedIds.has(text)) return
    const values = this.known.get(key) ?? []
    if (!values.includes(text)) values.push(text)
    if (values.length > 40) values.shift()
    this.known.set(key, values)
  }

  /** Puts back what a successful case of a side-effect route changed (see SIDE_EFFECTS). */
  private async restore(what: 'ip-blocks' | 'settings' | 'log-level' | 'maintenance'): Promise<void> {
    const ctx = this.t.ctx
    switch (what) {
      case 'ip-blocks':
        // Directly: a block may cover the address the admin API would be called from.
        await ctx.db
          .updateTable('ip_blocks')
          .set({ removed_at: new Date() })
          .where('removed_at', 'is', null)
          .execute()
        await blocklistOf(ctx).refresh()
        return
      case 'settings':
        await this.asAdmin('PUT', '/api/admin/settings', { requireTwoFactorForAdmins: false })
        return
      case 'log-level':
        await this.asAdmin('PUT', '/api/admin/log-level', { level: ctx.config.logLevel })
        return
      case 'maintenance': {
        const windows = (await this.asAdmin('GET', '/api/maintenance/windows')).json() as {
          items: Array<{ id: string; cancelledAt: string | null }>
        }
        for (const window of windows.items)
          if (!window.cancelledAt) await this.asAdmin('POST', `/api/maintenance/windows/${window.id}/cancel`)
        return
      }
    }
  }

  /** Whether the fuzzer can still act as admin with its key and its session. */
  async credentialsWork(): Promise<boolean> {
    const key = await this.asAdmin('GET', '/api/admin/settings')
    const session = await this.app.inject({
      method: 'GET',
      url: '/api/admin/settings',
      headers: { cookie: this.session.cookie },
    })
    return key.statusCode === 200 && session.statusCode === 200
  }
}

export function outcomeOf(method: string, response: LightMyRequestResponse): Outcome {
  return {
    method,
    status: response.statusCode,
    contentType: String(response.headers['content-type'] ?? ''),
    body: response.body,
  }
}

/** A request as the failure report shows it (long values cut). */
function describeRequest(request: InjectOptions): string {
  const cut = (text: string) => (text.length > 600 ? `${text.slice(0, 600)}…(${text.length} chars)` : text)
  const payload = request.payload === undefined ? '' : ` ${cut(String(request.payload))}`
  const headers = Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${cut(String(v))}`)
  return `${request.method} ${cut(String(request.url))} [${headers.join('; ')}]${payload}`
}

/** The string fields of a JSON value, as (object, key) pairs, a few levels deep. */
function stringFields(value: unknown, depth = 0): Array<[Record<string, unknown>, string]> {
  if (depth > 4 || !value || typeof value !== 'object') return []
  if (Array.isArray(value)) return value.flatMap((item) => stringFields(item, depth + 1))
  const holder = value as Record<string, unknown>
  return Object.entries(holder).flatMap(([key, item]) =>
    typeof item === 'string'
      ? [[holder, key] as [Record<string, unknown>, string]]
      : stringFields(item, depth + 1),
  )
}

function fieldNamesOf(route: RouteInfo): string[] {
  const names = [...route.url.matchAll(/:(\w+)/g)].map((m) => m[1]!)
  const walk = (schema: unknown, depth: number): void => {
    if (!schema || typeof schema !== 'object' || depth > 6) return
    const s = schema as Record<string, unknown>
    for (const [key, value] of Object.entries((s.properties ?? {}) as Record<string, unknown>)) {
      names.push(key)
      walk(value, depth + 1)
    }
    walk(s.items, depth + 1)
    for (const branch of [...((s.anyOf ?? []) as unknown[]), ...((s.oneOf ?? []) as unknown[])])
      walk(branch, depth + 1)
  }
  walk(route.schema.body, 0)
  return names
}

/** Routes without a response schema may send anything, an endless event stream included. */
function mayStream(route: RouteInfo): boolean {
  return !(route.schema as { response?: unknown }).response
}

/** Every route the app registered (`app.routeTable`, filled by an onRoute hook before any route). */
export function listRoutes(app: FastifyInstance): RouteInfo[] {
  return app.routeTable.flatMap((entry) =>
    [entry.method].flat().map((method) => ({
      method,
      url: entry.url,
      access: entry.access,
      schema: (entry.schema ?? {}) as RouteInfo['schema'],
      key: `${method} ${entry.url}`,
    })),
  )
}

/** A built web app's shape (index.html, a favicon, one hashed asset), since tests do not build it. */
function stubWebApp(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sentia-fuzz-web-'))
  mkdirSync(path.join(dir, 'assets'))
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Sentia</title><div id="root"></div>')
  writeFileSync(path.join(dir, 'favicon.ico'), Buffer.from([0, 0, 1, 0]))
  writeFileSync(path.join(dir, 'assets', 'index-3f2a1b.js'), 'console.log("app")')
  writeFileSync(path.join(dir, 'assets', 'index-3f2a1b.css'), 'body{margin:0}')
  return dir
}
