import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'

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
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? '(unmatched)',
      url: request.url,
      status,
      response_time: Math.round(reply.elapsedTime * 100) / 100,
      ...(error ? { err: error } : {}),
    }
    if (error || status >= 500) reply.log.error(line, 'request')
    else if (status >= 400) reply.log.warn(line, 'request')
    else reply.log.info(line, 'request')
  }
}
