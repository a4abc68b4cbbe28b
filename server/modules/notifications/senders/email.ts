import { createHash } from 'node:crypto'
import { DeliveryError, type Sender, type StoredMessage } from '../types.ts'

/**
 * Email over SMTP (nodemailer, one connection per message from SMTP_URL): subject = title,
 * a plain-text body, and a `Message-ID` derived from the idempotency key (plus
 * `X-Sentia-Idempotency-Key`), so a message sent again after a crash carries the same id and
 * mail systems that deduplicate on it show it once.
 */

export function emailBody(message: StoredMessage): string {
  const lines = [message.text, '']
  for (const field of message.fields) lines.push(`${field.label}: ${field.value}`)
  if (message.fields.length > 0) lines.push('')
  if (message.link) lines.push(message.link, '')
  lines.push(
    `Severity: ${message.severity ?? 'info'}${message.source ? ` · Source: ${message.source}` : ''}`,
    '-- ',
    'Sent by Sentia',
  )
  return lines.join('\n')
}

/** `<hash@domain-of-the-sender>`: the same for every attempt at one message. */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const domain = /@([^\s>]+)/.exec(from)?.[1] ?? 'sentia.invalid'
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`
}

export const emailSender: Sender = {
  async send(message, destination, signal, options) {
    if (!options.smtpUrl) throw new DeliveryError('SMTP_URL is not set')
    const { createTransport } = await import('nodemailer')
    const transport = createTransport({
      url: options.smtpUrl,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      disableFileAccess: true,
      disableUrlAccess: true,
    })
    const abort = () => transport.close()
    signal.addEventListener('abort', abort, { once: true })
    try {
      await transport.sendMail({
        from: options.smtpFrom,
        to: destination.to,
        subject: message.title,
        text: emailBody(message),
        messageId: messageIdFor(message.idempotencyKey, options.smtpFrom),
        headers: { 'X-Sentia-Idempotency-Key': message.idempotencyKey },
      })
    } catch (error) {
      if (signal.aborted) throw signal.reason
      throw new DeliveryError(`SMTP: ${(error as Error).message.slice(0, 300)}`)
    } finally {
      signal.removeEventListener('abort', abort)
      transport.close()
    }
  },
}
