import { expect, type Page, test } from '@playwright/test'
import { admin, baseURL } from './playwright.config.ts'
import { apiCall, signIn } from './support.ts'

const count = (value: number) => new Intl.NumberFormat('en-GB').format(value)
const ordersCard = (page: Page) =>
  page.locator('section').filter({ has: page.getByRole('heading', { name: 'Orders, 30 days', exact: true }) })

/** Books one order through the API with an operator key (not over the page's own connection). */
async function bookOrder(page: Page, key: string): Promise<void> {
  const channels = await apiCall<{ items: { code: string }[] }>(page, 'GET', '/api/channels')
  const products = await apiCall<{ items: { sku: string }[] }>(page, 'GET', '/api/products?kind=finished')
  const created = await page.request.post('/api/orders', {
    headers: { authorization: `Bearer ${key}`, 'idempotency-key': `e2e-live-${Date.now()}-${Math.random()}` },
    data: {
      channel: channels.body.items[0]!.code,
      lines: [{ sku: products.body.items[0]!.sku, quantity: 1 }],
    },
  })
  expect(created.status()).toBe(201)
}

/** Reads the event stream as the page's session until an order.created event; its id. */
async function nextOrderEventId(page: Page, book: () => Promise<void>): Promise<string> {
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ')
  const controller = new AbortController()
  const response = await fetch(`${baseURL}/api/events`, { headers: { cookie }, signal: controller.signal })
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  await book()
  let text = ''
  try {
    for (;;) {
      const { value, done } = await reader.read()
      if (done) throw new Error('the event stream ended')
      text += value
      const block = text.split('\n\n').find((b) => b.includes('event: order.created'))
      const id = block?.match(/^id: (.+)$/m)?.[1]
      if (id) return id
    }
  } finally {
    controller.abort()
  }
}

test('a dropped event stream resumes from Last-Event-ID and catches up on what it missed', async ({
  page,
}) => {
  await signIn(page, admin.email, admin.password)
  const key = await apiCall<{ key: string; apiKey: { id: string } }>(page, 'POST', '/api/api-keys', {
    name: 'e2e-live',
    role: 'operator',
  })
  const before = (
    await apiCall<{ revenue: { last30Days: { orders: number } } }>(page, 'GET', '/api/kpis/overview')
  ).body.revenue.last30Days.orders
  const seen = await nextOrderEventId(page, () => bookOrder(page, key.body.key))

  // The page's next stream delivers that id and then drops, as a broken connection does; the
  // browser's reconnection is held until an order has been booked while it was away.
  let streams = 0
  let reconnects = 0
  let networkBack!: () => void
  const back = new Promise<void>((resolve) => {
    networkBack = resolve
  })
  await page.route('**/api/events', async (route) => {
    streams += 1
    if (streams === 1)
      return route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: `retry: 200\nid: ${seen}\nevent: heartbeat\ndata: {}\n\n`,
      })
    reconnects += 1
    await back
    return route.continue()
  })
  await page.reload() // only so that the page's stream goes through the route above
  await expect(ordersCard(page)).toContainText(count(before + 1))
  await expect.poll(() => reconnects).toBeGreaterThan(0)

  await bookOrder(page, key.body.key) // published while the page has no stream
  networkBack()
  // Playwright's interception does not show the Last-Event-ID header the browser sends; its
  // effect is what is checked: without it (a stream that gave no id) the order never shows
  // no reload: the missed order.created is replayed after Last-Event-ID, and the overview refreshes
  await expect(ordersCard(page)).toContainText(count(before + 2))
  // The key is not left working on the instance (staging keeps its data between runs).
  expect((await apiCall(page, 'DELETE', `/api/api-keys/${key.body.apiKey.id}`)).status).toBe(200)
})
