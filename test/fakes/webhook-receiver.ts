import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A notification receiver for the outbox's tests: a real HTTP server on 127.0.0.1 that logs
 * every request, checks `X-Sentia-Signature` when given the secret, and processes each
 * `Idempotency-Key` once (a repeat is answered 200 and counted as a duplicate), as a careful
 * receiver does. It can be told to fail (a status), to hang (accept and never answer) or to be
 * down (the port refuses connections) and come back on the same port.
 */

export interface ReceivedRequest {
  path: string
  headers: IncomingMessage['headers']
  body: string
  json: unknown
  idempotencyKey: string | undefined
  /** null when the receiver was given no secret to check with. */
  signatureValid: boolean | null
  /** The status answered, or 'hung'. */
  answer: number | 'hung'
}

export type Behaviour = { status: number } | { hang: true }

export interface WebhookReceiver {
  url: string
  requests: ReceivedRequest[]
  /** Body of each key processed, in order; a key is processed once however often it arrives. */
  processed: Map<string, unknown>
  duplicates: number
  /** The next requests (one each) behave like this instead of succeeding. */
  next(...behaviours: Behaviour[]): void
  /** Every request behaves like this until called with null. */
  always(behaviour: Behaviour | null): void
  /** Resolves at the next request that arrives (after its body was read). */
  nextRequest(): Promise<ReceivedRequest>
  /** Closes the port (connections refused) until `up()`. */
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export async function startWebhookReceiver(options: { secret?: string } = {}): Promise<WebhookReceiver> {
  const queue: Behaviour[] = []
  let standing: Behaviour | null = null
  let waiting: ((request: ReceivedRequest) => void)[] = []
  const requests: ReceivedRequest[] = []
  const processed = new Map<string, unknown>()
  const receiver = { duplicates: 0 }

  const verify = (body: string, header: string | string[] | undefined): boolean | null => {
    if (!options.secret) return null
    if (typeof header !== 'string') return false
    const expected = Buffer.from(`sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`)
    const given = Buffer.from(header)
    return expected.length === given.length && timingSafeEqual(expected, given)
  }

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown = null
      try {
        json = JSON.parse(body)
      } catch {
        json = null
      }
      const key = req.headers['idempotency-key']
      const request: ReceivedRequest = {
        path: req.url ?? '/',
        headers: req.headers,
        body,
        json,
        idempotencyKey: typeof key === 'string' ? key : undefined,
        signatureValid: verify(body, req.headers['x-sentia-signature']),
        answer: 'hung',
      }
      requests.push(request)
      const behaviour = queue.shift() ?? standing
      if (behaviour && 'status' in behaviour) {
        request.answer = behaviour.status
        res.writeHead(behaviour.status, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'injected failure' }))
      } else if (!behaviour) {
        // Processed once per key: the work is done when the request arrives, whether or not the
        // answer reaches the sender.
        if (request.idempotencyKey && processed.has(request.idempotencyKey)) receiver.duplicates += 1
        else processed.set(request.idempotencyKey ?? `no-key-${requests.length}`, json)
        request.answer = 200
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('ok')
      } else if (request.idempotencyKey && !processed.has(request.idempotencyKey)) {
        processed.set(request.idempotencyKey, json)
      } else if (request.idempotencyKey) receiver.duplicates += 1
      const resolve = waiting
      waiting = []
      for (const done of resolve) done(request)
    })
  }

  let server: Server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections()
      server.close((error) => (error ? reject(error) : resolve()))
    })

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    processed,
    get duplicates() {
      return receiver.duplicates
    },
    next(...behaviours) {
      queue.push(...behaviours)
    },
    always(behaviour) {
      standing = behaviour
    },
    nextRequest: () => new Promise((resolve) => waiting.push(resolve)),
    down: stop,
    async up() {
      server = createServer(handle)
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  }
}
