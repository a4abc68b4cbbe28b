import { api } from './api.ts'

/**
 * Errors the app did not handle (uncaught errors, unhandled rejections, render errors caught by
 * the error boundary) go to `POST /api/errors/report`, where they are grouped with the server's.
 * Each distinct error is sent once per page load, and at most a few a minute, so a render loop
 * cannot flood the server (which limits reports per caller too). Only the page's path is sent.
 */
const PER_MINUTE = 5
const STACK_LIMIT = 8000
const sent = new Set<string>()
let windowStart = 0
let inWindow = 0

export function reportError(error: unknown): void {
  const report = reportOf(error)
  const key = `${report.type}\n${report.message}\n${report.stack?.split('\n')[1] ?? ''}`
  if (sent.has(key)) return
  const now = Date.now()
  if (now - windowStart > 60_000) {
    windowStart = now
    inWindow = 0
  }
  if (inWindow >= PER_MINUTE) return
  inWindow += 1
  if (sent.size > 200) sent.clear()
  sent.add(key)
  api('/api/errors/report', { method: 'POST', body: { ...report, url: window.location.pathname } }).catch(
    () => undefined,
  )
}

/** Listens for errors nothing else caught, for the page's life. */
export function reportUncaughtErrors(): void {
  window.addEventListener('error', (event) => reportError(event.error ?? event.message))
  window.addEventListener('unhandledrejection', (event) => reportError(event.reason))
}

function reportOf(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error)
    return {
      type: (error.name || 'Error').slice(0, 200),
      message: error.message.slice(0, 2000),
      stack: error.stack?.slice(0, STACK_LIMIT),
    }
  return { type: 'NonError', message: String(error).slice(0, 2000) }
}
