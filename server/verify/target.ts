import { CliError } from '../cli/output.ts'

/** The instance a verification runs against, and where its address came from. */
export interface Target {
  url: string
  from: '--url' | 'BASE_URL' | 'PRODUCTION_URL'
}

/** Exit code of a command given too little or malformed to start (no target, no credentials, a bad flag). */
export const USAGE_EXIT_CODE = 2

/**
 * The target's base URL: `--url` wins, then `BASE_URL` (set for one run, as the browser tests
 * take it), then `PRODUCTION_URL` (the standing address of production). None of them, or one
 * that is not an http(s) URL, is a usage error.
 */
export function resolveTarget(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Target {
  const candidates: [Target['from'], string | undefined][] = [
    ['--url', flag],
    ['BASE_URL', env.BASE_URL],
    ['PRODUCTION_URL', env.PRODUCTION_URL],
  ]
  const found = candidates.find(([, value]) => value !== undefined && value.trim() !== '')
  if (!found)
    throw new CliError(
      'no instance to check: pass --url or set BASE_URL or PRODUCTION_URL (e.g. https://dashboard.example.com)',
      USAGE_EXIT_CODE,
    )
  const [from, value] = found
  let url: URL
  try {
    url = new URL(value!.trim())
  } catch {
    throw new CliError(`${from} is not a URL: ${value}`, USAGE_EXIT_CODE)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`${from} must be an http or https URL, got ${url.protocol}`, USAGE_EXIT_CODE)
  return { url: url.origin, from }
}

/** A --timeout value: whole milliseconds, at least 1. */
export function parseTimeout(value: string): number {
  const ms = Number(value)
  if (!Number.isInteger(ms) || ms < 1)
    throw new CliError(`--timeout must be a whole number of milliseconds, got ${value}`, USAGE_EXIT_CODE)
  return ms
}
