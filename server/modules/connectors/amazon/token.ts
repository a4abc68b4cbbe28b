import { createHash } from 'node:crypto'
import { Type } from 'typebox'
import type { AmazonSettings } from '../../../config-connectors.ts'
import { checkShape } from '../../../platform/external-json.ts'
import type { SyncRun } from '../types.ts'

/**
 * Login with Amazon: a refresh token traded for an access token (an hour), kept per
 * credentials until a minute before it expires by the app's clock.
 */

const EARLY_MS = 60_000
const TokenAnswer = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  expires_in: Type.Number({ minimum: 1 }),
})

const cache = new Map<string, { token: string; expiresAt: number }>()

const keyOf = (settings: AmazonSettings) =>
  createHash('sha256')
    .update([settings.lwaUrl, settings.clientId, settings.clientSecret, settings.refreshToken].join('\n'))
    .digest('base64url')

export interface AccessToken {
  token: string
  /** Taken from the cache rather than issued for this call. */
  cached: boolean
}

export async function accessToken(run: SyncRun<AmazonSettings>): Promise<AccessToken> {
  const key = keyOf(run.config)
  const now = run.app.clock.ms()
  const kept = cache.get(key)
  if (kept && kept.expiresAt - EARLY_MS > now) return { token: kept.token, cached: true }
  const response = await run.fetch({
    method: 'POST',
    url: run.config.lwaUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
      accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: run.config.refreshToken,
      client_id: run.config.clientId,
      client_secret: run.config.clientSecret,
    }).toString(),
  })
  const answer = checkShape(TokenAnswer, response.json, 'The Login with Amazon token answer')
  cache.set(key, { token: answer.access_token, expiresAt: now + answer.expires_in * 1000 })
  return { token: answer.access_token, cached: false }
}

/** Drops a token the API refused, so the next call gets a new one. */
export function forgetToken(settings: AmazonSettings): void {
  cache.delete(keyOf(settings))
}
