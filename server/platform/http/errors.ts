/**
 * Typed errors with stable codes. Services throw these; the one error handler turns them into
 * `{ error: { code, message, details? } }` with the status below. Anything else is a 500.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'AppError'
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new AppError(400, 'BAD_REQUEST', message, details)
export const validationFailed = (message: string, details?: unknown) =>
  new AppError(400, 'VALIDATION_FAILED', message, details)
export const unauthorized = (message = 'Authentication required') =>
  new AppError(401, 'UNAUTHORIZED', message)
export const forbidden = (message = 'You do not have permission to do this') =>
  new AppError(403, 'FORBIDDEN', message)
export const notFound = (message = 'Not found') => new AppError(404, 'NOT_FOUND', message)
export const conflict = (message: string, details?: unknown) =>
  new AppError(409, 'CONFLICT', message, details)
export const unavailable = (message: string) => new AppError(503, 'SERVICE_UNAVAILABLE', message)

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId?: string }
}
