import type { NotificationSettings } from '../../config.ts'
import { emailSender } from './senders/email.ts'
import { shownUrl, urlProblem } from './senders/http.ts'
import { slackSender } from './senders/slack.ts'
import { webhookSender } from './senders/webhook.ts'
import { type ChannelKind, type Destination, EMAIL_ADDRESS, type Sender } from './types.ts'

/**
 * Every kind of channel in one lookup: how its destination is checked and shown, what it needs
 * configured, and its sender. Nothing outside this map branches on a kind.
 */
export interface KindSpec {
  sender: Sender
  /** Why `destination` does not suit this kind, or null. */
  destinationProblem(destination: string): string | null
  /** The destination as the API shows it: receiver URLs are credentials, so only their origin. */
  shown(destination: string): string
  /** Whether a channel of this kind keeps a secret of its own (the webhook's HMAC key). */
  takesSecret: boolean
  /** The sender's part of a Destination for this stored destination (and signing key). */
  route(destination: string, secret: string | undefined): Pick<Destination, 'url' | 'secret' | 'to'>
  /** What must be set before a channel of this kind can send, or null. */
  missing(settings: NotificationSettings, channelSecret: string | null): string | null
}

const MAX_RECIPIENTS = 20

export const addresses = (destination: string) =>
  destination
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)

export const kinds: Record<ChannelKind, KindSpec> = {
  slack: {
    sender: slackSender,
    destinationProblem: (destination) => urlProblem(destination, { httpsUnlessLocal: true }),
    shown: shownUrl,
    takesSecret: false,
    route: (url) => ({ url }),
    missing: () => null,
  },
  webhook: {
    sender: webhookSender,
    destinationProblem: (destination) => urlProblem(destination, { httpsUnlessLocal: false }),
    shown: shownUrl,
    takesSecret: true,
    route: (url, secret) => ({ url, secret }),
    missing: (settings, secret) =>
      secret || settings.webhookSecret ? null : 'a secret (or NOTIFY_WEBHOOK_SECRET) to sign webhooks with',
  },
  email: {
    sender: emailSender,
    destinationProblem(destination) {
      const list = addresses(destination)
      if (list.length === 0) return 'must be one or more email addresses, comma-separated'
      if (list.length > MAX_RECIPIENTS) return `must be at most ${MAX_RECIPIENTS} addresses`
      const bad = list.find((address) => address.length > 254 || !EMAIL_ADDRESS.test(address))
      return bad === undefined ? null : `"${bad}" is not an email address`
    },
    shown: (destination) => addresses(destination).join(', '),
    takesSecret: false,
    route: (destination) => ({ to: addresses(destination) }),
    missing: (settings) => (settings.smtpUrl ? null : 'SMTP_URL'),
  },
}
