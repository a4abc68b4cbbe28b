import { createHmac } from 'node:crypto'
import { DeliveryError, type Sender, type StoredMessage } from '../types.ts'
import { postJson } from './http.ts'

/**
 * Generic webhooks: the message as JSON, the same bytes on every attempt, with
 * `Idempotency-Key` (a receiver that deduplicates on it sees each message once),
 * `X-Sentia-Signature: sha256=<hex HMAC-SHA256 of the raw body>` and `X-Sentia-Timestamp`
 * (Unix seconds of this attempt).
 */

export function webhookBody(message: StoredMessage): string {
  return JSON.stringify({
    id: message.id,
    idempotency_key: message.idempotencyKey,
    title: message.title,
    text: message.text,
    severity: message.severity,
    fields: message.fields,
    link: message.link,
    source: message.source,
    created_at: message.createdAt.toISOString(),
  })
}

export const signBody = (body: string, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export const webhookSender: Sender = {
  async send(message, destination, signal, options) {
    if (!destination.secret)
      throw new DeliveryError('no key to sign with: set the channel secret or NOTIFY_WEBHOOK_SECRET')
    const body = webhookBody(message)
    await postJson(
      destination.url!,
      body,
      {
        'idempotency-key': message.idempotencyKey,
        'x-sentia-signature': signBody(body, destination.secret),
        'x-sentia-timestamp': String(Math.floor(options.now.getTime() / 1000)),
      },
      signal,
    )
  },
}
