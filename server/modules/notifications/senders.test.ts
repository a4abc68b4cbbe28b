import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { as, buildTestApp, type TestApp } from '../../../test/app.ts'
import { TestClock } from '../../../test/clock.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/fakes/webhook-receiver.ts'
import type { AppContext } from '../../context.ts'
import { messageIdFor } from './senders/email.ts'
import { mentionOf } from './senders/slack.ts'
import { deliverDue, enqueueNotification } from './service.ts'

/** What each kind puts on the wire: Slack's Block Kit payload, and email through a real SMTP server. */

interface ReceivedMail {
  from: string
  to: string[]
  user: string | undefined
  raw: string
}

async function startSmtpServer(credentials: { user: string; pass: string }) {
  const mails: ReceivedMail[] = []
  const server = new SMTPServer({
    // Plain SMTP on loopback: no certificate to trust in a test.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === credentials.user && auth.password === credentials.pass)
        return done(null, { user: auth.username })
      return done(new Error('Invalid username or password'))
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        })
        done()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** Quoted-printable (RFC 2045) to text: soft line breaks dropped, =XX as bytes of UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const bytes: number[] = []
  const joined = text.replace(/=\r\n/g, '')
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3)
    if (joined[i] === '=' && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16))
      i += 2
    } else bytes.push(...Buffer.from(joined[i]!))
  }
  return Buffer.from(bytes).toString('utf8')
}

/** Header value of a raw message (unfolded), and its (quoted-printable) body. */
function parseMail(raw: string): { header(name: string): string | undefined; body: string } {
  const [head = '', ...rest] = raw.split('\r\n\r\n')
  const lines = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')
  return {
    header: (name) =>
      lines
        .find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
        ?.replace(/^[^:]+:\s*/, ''),
    body: decodeQuotedPrintable(rest.join('\r\n\r\n')),
  }
}

describe('Slack channel', () => {
  let t: TestApp
  let ctx: AppContext
  let slack: WebhookReceiver
  const path = '/services/T0001/B0001/abcdefSECRETpath'

  beforeAll(async () => {
    slack = await startWebhookReceiver()
    t = await buildTestApp({
      clock: new TestClock(),
      env: { NOTIFY_POLL_MS: '0', SLACK_WEBHOOK_URL: `${slack.url}${path}` },
    })
    ctx = t.ctx
  })
  afterAll(async () => {
    await slack.close()
    await t.close()
  })

  it('posts Block Kit with a text fallback to SLACK_WEBHOOK_URL', async () => {
    await enqueueNotification(ctx, ctx.db, {
      target: { channel: 'slack' },
      idempotencyKey: 'slack-shape',
      title: 'Stock of GIN-70CL below reorder point',
      text: 'Only 12 units left at <Main> & falling.',
      severity: 'critical',
      fields: [
        { label: 'SKU', value: 'GIN-70CL' },
        { label: 'On hand', value: '12' },
      ],
      link: 'https://sentia.example/inventory?sku=GIN-70CL',
      mention: 'U0123ABCD',
      source: 'alert:7',
    })
    expect(await deliverDue(ctx)).toEqual({ sent: 1, failed: 0, dead: 0 })
    const [request] = slack.requests
    expect(request!.path).toBe(path)
    expect(request!.headers['content-type']).toBe('application/json')
    expect(request!.idempotencyKey).toBe('slack-shape')
    expect(request!.json).toEqual({
      text: '<@U0123ABCD> [CRITICAL] Stock of GIN-70CL below reorder point: Only 12 units left at <Main> & falling.',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Stock of GIN-70CL below reorder point', emoji: true },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '<@U0123ABCD> Only 12 units left at &lt;Main&gt; &amp; falling.' },
          fields: [
            { type: 'mrkdwn', text: '*SKU*\nGIN-70CL' },
            { type: 'mrkdwn', text: '*On hand*\n12' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Severity: *critical* · Source: alert:7' }] },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Open in Sentia' },
              url: 'https://sentia.example/inventory?sku=GIN-70CL',
              style: 'danger',
            },
          ],
        },
      ],
    })
  })

  it('lists the environment channel without its URL', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/notifications/channels',
      headers: await as(ctx, 'operator'),
    })
    expect(res.statusCode).toBe(200)
    expect(res.body).not.toContain('SECRETpath')
    const slackChannel = res.json().items.find((c: { name: string }) => c.name === 'slack')
    expect(slackChannel).toMatchObject({
      kind: 'slack',
      origin: 'environment',
      destination: `${slack.url}/…`,
      stats: { sent24h: 1, failed24h: 0, successRate: 1, pending: 0, dead: 0 },
    })
  })
})

describe('email channel', () => {
  let ctx: AppContext
  let t: TestApp
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>

  beforeAll(async () => {
    smtp = await startSmtpServer({ user: 'mailer', pass: 's3cret-pass' })
    t = await buildTestApp({
      clock: new TestClock(),
      env: {
        NOTIFY_POLL_MS: '0',
        NOTIFY_TIMEOUT_MS: '5000',
        SMTP_URL: `smtp://mailer:s3cret-pass@127.0.0.1:${smtp.port}`,
        SMTP_FROM: 'Sentia Alerts <alerts@sentia.test>',
        NOTIFY_EMAIL_TO: 'ops@example.com, plant@example.com',
      },
    })
    ctx = t.ctx
  })
  afterAll(async () => {
    await t.close()
    await smtp.close()
  })

  it('sends to the email channel and to one address over SMTP_URL', async () => {
    await enqueueNotification(ctx, ctx.db, {
      target: { channel: 'email' },
      idempotencyKey: 'mail-channel',
      title: 'OEE of line 1 below 60%',
      text: 'OEE was 54% over the last 4 hours.',
      severity: 'medium',
      fields: [{ label: 'Line', value: 'L1' }],
      link: 'https://sentia.example/production',
      source: 'alert:9',
    })
    await enqueueNotification(ctx, ctx.db, {
      target: { email: 'manager@example.com' },
      idempotencyKey: 'mail-direct',
      title: 'Escalated: OEE of line 1',
      text: 'Nobody acknowledged within 15 minutes.',
    })
    expect(await deliverDue(ctx)).toEqual({ sent: 2, failed: 0, dead: 0 })
    expect(smtp.mails).toHaveLength(2)

    const toChannel = smtp.mails.find((m) => m.to.includes('ops@example.com'))!
    expect(toChannel.to).toEqual(['ops@example.com', 'plant@example.com'])
    expect(toChannel.from).toBe('alerts@sentia.test')
    expect(toChannel.user).toBe('mailer')
    const mail = parseMail(toChannel.raw)
    expect(mail.header('Subject')).toBe('OEE of line 1 below 60%')
    expect(mail.header('From')).toBe('Sentia Alerts <alerts@sentia.test>')
    expect(mail.header('Message-ID')).toBe(messageIdFor('mail-channel', 'Sentia Alerts <alerts@sentia.test>'))
    expect(mail.header('Message-ID')).toMatch(/^<[0-9a-f]{32}@sentia\.test>$/)
    expect(mail.header('X-Sentia-Idempotency-Key')).toBe('mail-channel')
    expect(mail.body).toContain('OEE was 54% over the last 4 hours.')
    expect(mail.body).toContain('Line: L1')
    expect(mail.body).toContain('https://sentia.example/production')
    expect(mail.body).toContain('Severity: medium · Source: alert:9')

    const direct = smtp.mails.find((m) => m.to.includes('manager@example.com'))!
    expect(direct.to).toEqual(['manager@example.com'])
    expect(parseMail(direct.raw).header('Subject')).toBe('Escalated: OEE of line 1')
  })

  it('counts a refused SMTP login as a failed attempt to retry', async () => {
    const wrong = await buildTestApp({
      clock: new TestClock(),
      env: {
        NOTIFY_POLL_MS: '0',
        NOTIFY_TIMEOUT_MS: '5000',
        SMTP_URL: `smtp://mailer:wrong-pass@127.0.0.1:${smtp.port}`,
      },
    })
    try {
      const { id } = await enqueueNotification(wrong.ctx, wrong.ctx.db, {
        target: { email: 'manager@example.com' },
        idempotencyKey: 'mail-wrong-login',
        title: 'never arrives',
        text: '…',
      })
      expect(await deliverDue(wrong.ctx)).toEqual({ sent: 0, failed: 1, dead: 0 })
      const row = await wrong.ctx.db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      expect(row.status).toBe('pending')
      expect(row.last_error).toMatch(/^SMTP: .*(535|Invalid)/)
      expect(row.last_error).not.toContain('wrong-pass')
      expect(
        smtp.mails.some((m) => m.to.includes('manager@example.com') && m.raw.includes('never arrives')),
      ).toBe(false)
    } finally {
      await wrong.close()
    }
  })
})

describe('Slack mentions', () => {
  it.each([
    ['U0123ABCD', '<@U0123ABCD>'],
    ['W0123', '<@W0123>'],
    ['S0456GRP', '<!subteam^S0456GRP>'],
    ['C0789CHN', '<#C0789CHN>'],
    ['here', '<!here>'],
    ['@channel', '<!channel>'],
    ['#ops', '#ops'],
  ])('%s → %s', (mention, written) => {
    expect(mentionOf(mention)).toBe(written)
  })
})
