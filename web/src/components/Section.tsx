import type { UseQueryResult } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { Empty, ErrorState, Loading } from './States.tsx'

/** A titled block that shows its query's loading, error and empty states, else its content. */
export function Section<T>(props: {
  title: string
  query: UseQueryResult<T>
  isEmpty: (data: T) => boolean
  empty: string
  children: (data: T) => ReactNode
  description?: string
  /** Controls beside the title (a filter), shown in every state. */
  actions?: ReactNode
}) {
  const { query } = props
  return (
    <section className="space-y-2">
      {props.actions ? (
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">{props.title}</h2>
          {props.actions}
        </div>
      ) : (
        <h2 className="text-lg font-semibold">{props.title}</h2>
      )}
      {props.description && <p className="text-sm text-stone-600 dark:text-stone-400">{props.description}</p>}
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorState error={query.error} retry={() => query.refetch()} />
      ) : props.isEmpty(query.data) ? (
        <Empty>{props.empty}</Empty>
      ) : (
        props.children(query.data)
      )}
    </section>
  )
}
