import http from 'node:http'
import Provider from 'oidc-provider'

export const ACCOUNTS: Record<string, { email: string; name: string }> = {
  alice: { email: 'alice@example.com', name: 'Alice Idp' },
  dave: { email: 'dave@example.com', name: 'Dave Disabled' },
}

/** A local OpenID Provider for tests (panva/oidc-provider v9, dev interactions). */
export async function startIdp(port: number, redirectUri: string) {
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'sentia',
      client_secret: 'sentia-test-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    async findAccount(_ctx, id) {
      const acc = ACCOUNTS[id]
      if (!acc) return undefined
      return { accountId: id, async claims() { return { sub: id, email: acc.email, email_verified: true, name: acc.name } } }
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    features: { devInteractions: { enabled: true } },  // GET/POST /interaction/:uid login + consent forms
    cookies: { keys: ['test-cookie-key'] },
    pkce: { required: () => true },
  })
  provider.proxy = false
  const server = http.createServer(provider.callback())
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  return { issuer, close: () => new Promise<void>((r) => server.close(() => r())) }
}
