import type { ReactNode } from 'react'

export interface TimelineItem {
  id: string
  at: string
  kind: string
  title: string
  body?: ReactNode
}

/** A timeline, oldest first: each entry's time (as `formatTime` writes it), title and details. */
export function TimelineList({
  items,
  formatTime,
}: {
  items: TimelineItem[]
  formatTime: (iso: string) => string
}) {
  return (
    <ol
      className="space-y-3 border-l-2 border-stone-200 pl-4 text-sm break-words dark:border-stone-700"
      aria-label="Timeline"
    >
      {items.map((item) => (
        <li key={item.id} data-kind={item.kind}>
          <p>
            <time dateTime={item.at} className="text-stone-600 dark:text-stone-400">
              {formatTime(item.at)}
            </time>
          </p>
          <p className="font-medium">{item.title}</p>
          {item.body && <div className="text-stone-700 dark:text-stone-300">{item.body}</div>}
        </li>
      ))}
    </ol>
  )
}
