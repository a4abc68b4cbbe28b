import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnavailable } from '../db/unavailable.ts'
import { AppError, type ErrorBody } from './errors.ts'

/** Fastify's own client errors, by code, with the code we expose. */
const FASTIFY_CLIENT_ERRORS: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    message: 'Request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    status: 400,
    code: 'MALFORMED_JSON',
    message: 'Body cannot be empty when content-type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: 'Request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'BAD_REQUEST' },
  FST_ERR_CTP_INVALID_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL', message: 'The URL is not valid (a bad %-escape)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'A part of the URL is too long' },
}

const STATUS_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
}

export type ErrorRecorder = (error: Error, request: FastifyRequest) => void

/** How long a client is told to wait before retrying when the database cannot be reached. */
const DATABASE_RETRY_AFTER_SECONDS = 5

/**
 * One handler maps every error to the public shape. Unknown errors become a plain 500 with
 * the request id and no stack, and are passed to `record` (the error tracker). A 5xx AppError
 * (a service unavailable) is a deliberate answer, logged but not recorded. So is a database that
 * cannot be reached: a 503 `DATABASE_UNAVAILABLE` with Retry-After, at once rather than a hang
 * (the pool waits DATABASE_POOL_TIMEOUT_MS at most), and nothing for a tracker that could not
 * store it anyway.
 */
export function installErrorHandling(app: FastifyInstance, record: ErrorRecorder = () => {}): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable')
      reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
      return send(reply, 503, {
        error: {
          code: 'DATABASE_UNAVAILABLE',
          message: 'The database cannot be reached; try again shortly',
          requestId: request.id,
        },
      })
    }
    const { status, body } = toResponse(error, request)
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      if (!(error instanceof AppError)) record(error, request)
    }
    return send(reply, status, body)
  })

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, {
      error: { code: 'NOT_FOUND', message: `Route ${request.method} ${request.url.split('?')[0]} not found` },
    }),
  )
}

/**
 * Errors the router raises before any hook runs (a bad %-escape, an overlong path parameter):
 * Fastify's `frameworkErrors` option, so they get the public shape too.
 */
export function frameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toResponse(error, request)
  send(reply, status, body)
}

function toResponse(error: FastifyError, request: FastifyRequest): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } }
    if (error.details !== undefined) body.error.details = error.details
    if (error.statusCode >= 500) body.error.requestId = request.id
    return { status: error.statusCode, body }
  }
  if (error.validation) {
    return {
      status: 400,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: `Invalid ${error.validationContext ?? 'request'}: ${error.message}`,
          details: error.validation.map((issue) => ({
            path: issue.instancePath || '/',
            message: issue.message ?? 'is invalid',
          })),
        },
      },
    }
  }
  const known = error.code ? FASTIFY_CLIENT_ERRORS[error.code] : undefined
  if (known)
    return {
      status: known.status,
      body: { error: { code: known.code, message: known.message ?? error.message } },
    }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return {
      status,
      body: { error: { code: STATUS_CODES[status] ?? 'BAD_REQUEST', message: error.message } },
    }
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'Internal server error', requestId: request.id } },
  }
}

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.status(status).type('application/json; charset=utf-8').send(body)
}
