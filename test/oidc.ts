import http from 'node:http'
import Provider from 'oidc-provider'
import { freePort } from './instance.ts'

/** A local OpenID provider for tests (oidc-provider with its development login and consent pages). */
export const IDP_ACCOUNTS: Record<string, { email: string; name: string }> = {
  alice: { email: 'alice@example.com', name: 'Alice Idp' },
  dave: { email: 'dave@example.com', name: 'Dave Disabled' },
}

export const IDP_CLIENT = { id: 'sentia', secret: 'sentia-test-secret-0123456789' }

export async function startIdp(redirectUri: string) {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: IDP_CLIENT.id,
        client_secret: IDP_CLIENT.secret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    async findAccount(_ctx, id) {
      const account = IDP_ACCOUNTS[id]
      if (!account) return undefined
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: account.email, email_verified: true, name: account.name }
        },
      }
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['test-cookie-key-0123456789'] },
    pkce: { required: () => true },
  })
  const server = http.createServer(provider.callback())
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Cookies of one host, as a browser keeps them. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  take(setCookie: string[]): void {
    for (const cookie of setCookie) {
      const [pair = '', ...attributes] = cookie.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at).trim()
      const value = pair.slice(at + 1)
      if (value === '' || attributes.some((a) => /max-age=0/i.test(a.trim()))) this.#cookies.delete(name)
      else this.#cookies.set(name, value)
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }
}

/** A browser in miniature: follows redirects by hand with one cookie jar per host. */
export class Browser {
  readonly jars = new Map<string, CookieJar>()

  jar(url: string): CookieJar {
    const host = new URL(url).host
    const jar = this.jars.get(host) ?? new CookieJar()
    this.jars.set(host, jar)
    return jar
  }

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    const cookie = this.jar(url).header()
    if (cookie) headers.set('cookie', cookie)
    const response = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    })
    this.jar(url).take(response.headers.getSetCookie())
    return response
  }

  async follow(response: Response, from: string): Promise<{ response: Response; url: string }> {
    let url = from
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 20; hops++) {
      url = new URL(response.headers.get('location')!, url).toString()
      response = await this.go(url)
    }
    return { response, url }
  }

  /** Signs in to the app through the provider's development login and consent pages. */
  async signInWithOidc(appUrl: string, account: string): Promise<string> {
    const start = await this.go(`${appUrl}/api/auth/sign-in/social`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: appUrl },
      body: JSON.stringify({ provider: 'oidc', callbackURL: '/', errorCallbackURL: '/sign-in-error' }),
    })
    const { url: authorize } = (await start.json()) as { url: string }
    let { url } = await this.follow(await this.go(authorize), authorize)
    for (const prompt of ['login', 'consent']) {
      if (!new URL(url).pathname.startsWith('/interaction/')) break
      const form = new URLSearchParams(
        prompt === 'login' ? { prompt, login: account, password: 'any' } : { prompt },
      )
      const posted = await this.go(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      })
      ;({ url } = await this.follow(posted, url))
    }
    return url
  }
}
