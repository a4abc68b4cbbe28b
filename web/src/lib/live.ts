import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'

/** The server's named business events (GET /api/events). */
export type LiveEvent =
  | 'order.created'
  | 'order.status'
  | 'stock.changed'
  | 'production.changed'
  | 'alert.changed'
  | 'maintenance.changed'
  | 'incident.changed'
  | 'deployment.changed'

/**
 * Refetches the queries under `keys` when one of `events` arrives, at most once per `quietMs`.
 * EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed after a drop.
 */
export function useLiveRefresh(events: LiveEvent[], keys: string[][], quietMs = 1000): void {
  const client = useQueryClient()
  const eventList = events.join(',')
  const keyList = JSON.stringify(keys)
  useEffect(() => {
    const source = new EventSource('/api/events', { withCredentials: true })
    let timer: ReturnType<typeof setTimeout> | undefined
    const refresh = () => {
      timer ??= setTimeout(() => {
        timer = undefined
        for (const key of JSON.parse(keyList) as string[][]) void client.invalidateQueries({ queryKey: key })
      }, quietMs)
    }
    for (const event of eventList.split(',')) source.addEventListener(event, refresh)
    // The server no longer holds the events missed since Last-Event-ID: refetch everything shown.
    source.addEventListener('reset', refresh)
    return () => {
      clearTimeout(timer)
      source.close()
    }
  }, [client, eventList, keyList, quietMs])
}
