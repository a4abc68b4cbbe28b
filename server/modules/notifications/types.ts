import { AppError } from '../../platform/http/errors.ts'

export const CHANNEL_KINDS = ['slack', 'webhook', 'email'] as const
export type ChannelKind = (typeof CHANNEL_KINDS)[number]

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const
export type Severity = (typeof SEVERITIES)[number]

export const MESSAGE_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

export type NotificationTarget =
  /** A configured channel by name; `slack` = SLACK_WEBHOOK_URL, `email` = SMTP_URL with NOTIFY_EMAIL_TO. */
  | { channel: string }
  /** One address, sent over SMTP_URL. */
  | { email: string }
  /** A URL, HMAC-signed with NOTIFY_WEBHOOK_SECRET. */
  | { webhook: string }

export interface MessageField {
  label: string
  value: string
}

export interface OutgoingMessage {
  target: NotificationTarget
  /** Unique per logical message; enqueueing the same key again is a no-op that returns the existing id. */
  idempotencyKey: string
  title: string
  /** Plain text. */
  text: string
  severity?: Severity
  fields?: MessageField[]
  /** Absolute URL into the app. */
  link?: string
  /** Slack user or channel to mention (e.g. "U123" or "#ops"); ignored by other kinds. */
  mention?: string
  /** Who sent it, e.g. "alert:42", "incident:7", "maintenance:3"; filterable in the API. */
  source?: string
}

/** A stored message as the senders see it: the same bytes on every attempt. */
export interface StoredMessage {
  id: string
  idempotencyKey: string
  title: string
  text: string
  severity: Severity | null
  fields: MessageField[]
  link: string | null
  mention: string | null
  source: string | null
  createdAt: Date
}

/** Where one message goes, resolved at send time (so a corrected channel URL applies to retries). */
export interface Destination {
  kind: ChannelKind
  /** For logs and errors: the channel's name or `direct:<kind>`; never the URL (a Slack URL is a credential). */
  label: string
  /** slack, webhook */
  url?: string
  /** webhook: the HMAC key. */
  secret?: string
  /** email */
  to?: string[]
}

/** A failed attempt: always retried until NOTIFY_MAX_ATTEMPTS; `retryAfterMs` when the receiver asked for a pause. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message)
    this.name = 'DeliveryError'
  }
}

/** One kind of channel: how a message is sent there. The only place a kind is branched on. */
export interface Sender {
  /** Resolves when the receiver accepted the message; throws DeliveryError otherwise. Honours `signal`. */
  send(
    message: StoredMessage,
    destination: Destination,
    signal: AbortSignal,
    options: SenderOptions,
  ): Promise<void>
}

export interface SenderOptions {
  smtpUrl: string | undefined
  smtpFrom: string
  timeoutMs: number
  /** This attempt's time, from the app's clock. */
  now: Date
}

export const unknownChannel = (name: string) =>
  new AppError(422, 'UNKNOWN_CHANNEL', `No notification channel named "${name}"`)

export const notConfigured = (message: string) => new AppError(422, 'NOTIFICATIONS_NOT_CONFIGURED', message)

/** Channel names: lower case, so `slack` and `email` (the environment's) can be reserved. */
export const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/
export const EMAIL_ADDRESS = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/
/** Visible ASCII only: the key travels in HTTP and mail headers. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/
