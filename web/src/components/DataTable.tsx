import type { ReactNode } from 'react'

export interface Column<T> {
  label: string
  render: (row: T) => ReactNode
  numeric?: boolean
}

/** A plain, accessible table: a caption, column headers, right-aligned tabular numbers. */
export function DataTable<T>(props: {
  caption: string
  columns: Column<T>[]
  rows: T[]
  rowKey: (row: T) => string
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
      <table className="w-full text-sm">
        <caption className="sr-only">{props.caption}</caption>
        <thead className="text-left text-stone-600 dark:text-stone-400">
          <tr>
            {props.columns.map((column) => (
              <th
                key={column.label}
                scope="col"
                className={`px-3 py-2 font-medium ${column.numeric ? 'text-right' : ''}`}
              >
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={props.rowKey(row)} className="border-t border-stone-200 dark:border-stone-800">
              {props.columns.map((column) => (
                <td
                  key={column.label}
                  className={`px-3 py-2 ${column.numeric ? 'text-right tabular-nums' : ''}`}
                >
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
