/** The health of one component, as /health reports it. */
export type ComponentStatus = 'ok' | 'degraded' | 'down'

export interface ComponentHealth {
  status: ComponentStatus
  /** A required component that is down makes the whole instance unhealthy (503). */
  required: boolean
  latencyMs?: number
  message?: string
  [detail: string]: unknown
}
