import type { Sender, StoredMessage } from '../types.ts'
import { postJson } from './http.ts'

/**
 * Slack incoming webhooks with Block Kit: a header (the title), a section with the text and the
 * fields, a context line (severity, source) and a button to the app; `text` is the fallback
 * shown in notifications and by clients without blocks. Slack keeps no idempotency key, so a
 * process that dies after Slack accepted a message and before recording it sends it again.
 */

/** Block Kit limits: header 150 characters, section text 3000, 10 fields of 2000 each. */
const HEADER_MAX = 150
const SECTION_MAX = 3000
const FIELDS_MAX = 10
const FIELD_MAX = 2000

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/** `&`, `<` and `>` are control characters in Slack's mrkdwn. */
export const escapeMrkdwn = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A mention in Slack's syntax: users and bots `<@U…>`, user groups `<!subteam^S…>`, channels `<#C…>`. */
export function mentionOf(mention: string): string {
  const special = /^@?(here|channel|everyone)$/.exec(mention)
  if (special) return `<!${special[1]}>`
  if (/^[UW][A-Z0-9]+$/.test(mention)) return `<@${mention}>`
  if (/^S[A-Z0-9]+$/.test(mention)) return `<!subteam^${mention}>`
  if (/^C[A-Z0-9]+$/.test(mention)) return `<#${mention}>`
  return escapeMrkdwn(mention)
}

export function slackPayload(message: StoredMessage): Record<string, unknown> {
  const severity = message.severity ?? 'info'
  const body = message.mention
    ? `${mentionOf(message.mention)} ${escapeMrkdwn(message.text)}`
    : escapeMrkdwn(message.text)
  const section: Record<string, unknown> = {
    type: 'section',
    text: { type: 'mrkdwn', text: clip(body || ' ', SECTION_MAX) },
  }
  if (message.fields.length > 0) {
    section.fields = message.fields.slice(0, FIELDS_MAX).map((field) => ({
      type: 'mrkdwn',
      text: clip(`*${escapeMrkdwn(field.label)}*\n${escapeMrkdwn(field.value)}`, FIELD_MAX),
    }))
  }
  const context = [
    `Severity: *${severity}*`,
    message.source ? `Source: ${escapeMrkdwn(message.source)}` : null,
  ]
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(message.title, HEADER_MAX), emoji: true } },
    section,
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.filter(Boolean).join(' · ') }] },
  ]
  if (message.link) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Sentia' },
          url: message.link,
          ...(severity === 'critical' || severity === 'high' ? { style: 'danger' } : {}),
        },
      ],
    })
  }
  const fallback = `[${severity.toUpperCase()}] ${message.title}: ${message.text}`
  return {
    text: clip(message.mention ? `${mentionOf(message.mention)} ${fallback}` : fallback, SECTION_MAX),
    blocks,
  }
}

export const slackSender: Sender = {
  async send(message, destination, signal) {
    await postJson(
      destination.url!,
      JSON.stringify(slackPayload(message)),
      { 'idempotency-key': message.idempotencyKey },
      signal,
    )
  },
}
