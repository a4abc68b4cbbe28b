import pino, { type Logger } from 'pino'
import type { Config } from '../../config.ts'
import { sourceStack } from './stack-map.ts'

export type { Logger } from 'pino'

/** Headers and fields that are never written to the log, whatever the level. */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
]

/**
 * JSON lines on stdout; pretty output only when stdout is a terminal in development.
 * Secret configuration values are masked wherever they appear in a message or string field.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'env' | 'secrets'>,
  destination?: pino.DestinationStream,
): Logger {
  const pretty = !destination && config.env === 'development' && process.stdout.isTTY
  const mask = secretMasker(config.secrets)
  return pino(
    {
      level: config.logLevel,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? mask(arg) : arg)) as Parameters<typeof method>,
          )
        },
      },
      ...(pretty
        ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } } }
        : {}),
    },
    destination,
  )
}

/** pino's error fields, with the stack in source positions when the server runs its build. */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const out = pino.stdSerializers.err(error)
  if (typeof out.stack === 'string') out.stack = sourceStack(out.stack)
  return out
}

export function secretMasker(secrets: string[]): (text: string) => string {
  const usable = secrets.filter((secret) => secret.length >= 4)
  if (usable.length === 0) return (text) => text
  return (text) => usable.reduce((out, secret) => out.split(secret).join('[redacted]'), text)
}
