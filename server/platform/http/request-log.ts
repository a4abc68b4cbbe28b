import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { levelEnabled } from './request-logger.ts'

/**
 * One JSON line per completed request (instead of Fastify's two): method, route pattern, URL,
 * status and `response_time` in ms, with the request id as `req_id`. 5xx and failed responses
 * log at error, 4xx at warn.
 */
export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'req_id' })
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const status = reply.statusCode
    const level = error || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info'
    if (!levelEnabled(reply.log, level)) return
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      url: request.url,
      status,
      response_time: Math.round(reply.elapsedTime * 100) / 100,
      ...(error ? { err: error } : {}),
    }
    reply.log[level](line, 'request')
  }
}
