import { describe, expect, it } from 'vitest'
import { loadConfig, variables } from '../../config.ts'

/** The notification variables: parsed, checked, and the credentials among them masked. */

describe('notification configuration', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({}).notifications).toEqual({
      slackWebhookUrl: undefined,
      smtpUrl: undefined,
      smtpFrom: 'Sentia <sentia@localhost>',
      emailTo: [],
      webhookSecret: undefined,
      timeoutMs: 10_000,
      retryBaseSeconds: 5,
      retryMaxSeconds: 300,
      maxAttempts: 20,
      pollMs: 1000,
      retentionDays: 30,
    })
  })

  it('marks the Slack URL, the SMTP URL and the webhook key secret, and masks the SMTP password', () => {
    for (const name of ['SLACK_WEBHOOK_URL', 'SMTP_URL', 'NOTIFY_WEBHOOK_SECRET'] as const)
      expect(variables[name].secret, name).toBe(true)
    const config = loadConfig({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B1/tok3n',
      SMTP_URL: 'smtp://mailer:p%40ss-word@mail.example.com:587',
      NOTIFY_WEBHOOK_SECRET: 'a-webhook-signing-key',
      NOTIFY_EMAIL_TO: 'ops@example.com, plant@example.com',
    })
    expect(config.notifications.emailTo).toEqual(['ops@example.com', 'plant@example.com'])
    expect(config.secrets).toEqual(
      expect.arrayContaining([
        'https://hooks.slack.com/services/T1/B1/tok3n',
        'p@ss-word',
        'a-webhook-signing-key',
      ]),
    )
  })

  it.each([
    ['SLACK_WEBHOOK_URL', 'http://hooks.slack.com/services/x', 'must use https'],
    ['SMTP_URL', 'https://mail.example.com', 'must use smtp: or smtps:'],
    ['NOTIFY_EMAIL_TO', 'ops@example.com, nobody', 'comma-separated email addresses'],
    ['NOTIFY_WEBHOOK_SECRET', 'short', 'at least 16 characters'],
    ['NOTIFY_MAX_ATTEMPTS', '0', 'between 1 and 1000'],
    ['NOTIFY_TIMEOUT_MS', '10', 'between 100 and 120000'],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(`${name}: `)
    expect(() => loadConfig({ [name]: value })).toThrow(message)
  })

  it('allows a local http Slack URL (a stand-in for tests)', () => {
    expect(
      loadConfig({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:8080/hook' }).notifications.slackWebhookUrl,
    ).toBe('http://127.0.0.1:8080/hook')
  })
})
