import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What the fakes share: a real HTTP server on 127.0.0.1, a request log and injected failures. */

export interface FakeRequest {
  method: string
  path: string
  query: string
  headers: IncomingMessage['headers']
  body: string
  status: number
}

export type Handler = (request: FakeRequest) => {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export interface FakeServer {
  url: string
  requests: FakeRequest[]
  /** The next `times` requests answer `status` (a 429 with Retry-After: 0). */
  fail(status: number, times?: number): void
  close(): Promise<void>
}

export async function startFake(handle: Handler): Promise<FakeServer> {
  const requests: FakeRequest[] = []
  const failures: number[] = []
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = req.url ?? '/'
      const at = raw.indexOf('?')
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path: at === -1 ? raw : raw.slice(0, at),
        query: at === -1 ? '' : raw.slice(at + 1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      }
      requests.push(request)
      const injected = failures.shift()
      const answer =
        injected === undefined
          ? handle(request)
          : { status: injected, body: { error: 'injected' }, headers: { 'retry-after': '0' } }
      request.status = answer.status
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    fail(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status)
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** `/Date(ms)/`, as Unleashed and Xero write instants. */
export const msDate = (iso: string, offset = '') => `/Date(${Date.parse(iso)}${offset})/`

/** One page of `items` (1-based), and how many pages there are. */
export function pageOf<T>(items: T[], page: number, size: number): { items: T[]; pages: number } {
  return { items: items.slice((page - 1) * size, page * size), pages: Math.ceil(items.length / size) }
}
