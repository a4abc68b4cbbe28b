import { type FormEvent, type ReactNode, useId } from 'react'
import { cardClass } from '../../components/forms.ts'

/** One settings form with its heading (a named region, so each can be found on its own). */
export function Card(props: {
  title: string
  description?: ReactNode
  onSubmit: (event: FormEvent<HTMLFormElement>) => void
  children: ReactNode
}) {
  const titleId = useId()
  return (
    <section aria-labelledby={titleId} className={cardClass}>
      <h3 id={titleId} className="text-lg font-semibold">
        {props.title}
      </h3>
      {props.description && (
        <div className="text-sm text-stone-700 dark:text-stone-300">{props.description}</div>
      )}
      <form className="space-y-4" onSubmit={props.onSubmit}>
        {props.children}
      </form>
    </section>
  )
}
