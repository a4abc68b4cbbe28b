/**
 * A minimal Server-Sent Events client over fetch for tests against a running server: it reads
 * the stream in the background, keeps every event, and lets a test wait (bounded) for one.
 */

export interface StreamEvent {
  id: string | undefined
  type: string
  data: Record<string, unknown>
}

export interface EventStream {
  events: StreamEvent[]
  /** The first event (already received or still to come) that `match` accepts. */
  next(match: (event: StreamEvent) => boolean, timeoutMs: number): Promise<StreamEvent>
  close(): void
}

function parseFrame(frame: string): StreamEvent | null {
  let id: string | undefined
  let type = 'message'
  const data: string[] = []
  for (const line of frame.split('\n')) {
    if (line.startsWith('id: ')) id = line.slice(4)
    else if (line.startsWith('event: ')) type = line.slice(7)
    else if (line.startsWith('data: ')) data.push(line.slice(6))
  }
  if (data.length === 0) return null // retry hints and heartbeats carry no data
  return { id, type, data: JSON.parse(data.join('\n')) as Record<string, unknown> }
}

/**
 * Opens the stream and resolves once the server's first bytes arrived: by then the server has
 * registered this client, so an event published afterwards reaches it.
 */
export async function openEventStream(url: string, headers: Record<string, string>): Promise<EventStream> {
  const abort = new AbortController()
  const response = await fetch(url, {
    headers: { ...headers, accept: 'text/event-stream' },
    signal: AbortSignal.any([abort.signal, AbortSignal.timeout(120_000)]),
  })
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${await response.text()}`)
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  const events: StreamEvent[] = []
  const waiters = new Set<() => void>()
  let buffer = ''

  const first = await reader.read()
  const consume = (chunk: Uint8Array | undefined) => {
    buffer += decoder.decode(chunk, { stream: true })
    let end = buffer.indexOf('\n\n')
    while (end >= 0) {
      const event = parseFrame(buffer.slice(0, end))
      buffer = buffer.slice(end + 2)
      if (event) events.push(event)
      end = buffer.indexOf('\n\n')
    }
    for (const wake of waiters) wake()
  }
  consume(first.value)
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        consume(value)
      }
    } catch {
      // aborted by close()
    }
  })()

  return {
    events,
    next(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match)
          if (!found) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(found)
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          const seen = events.map((e) => e.type).join(', ') || 'none'
          reject(new Error(`no matching event within ${timeoutMs} ms on ${url} (received: ${seen})`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    close: () => abort.abort(),
  }
}
