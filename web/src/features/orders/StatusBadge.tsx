import type { OrderStatus } from './types.ts'

const TONE: Record<OrderStatus, string> = {
  pending: 'bg-amber-100 text-amber-900 dark:bg-amber-900/50 dark:text-amber-100',
  paid: 'bg-sky-100 text-sky-900 dark:bg-sky-900/50 dark:text-sky-100',
  fulfilled: 'bg-emerald-100 text-emerald-900 dark:bg-emerald-900/50 dark:text-emerald-100',
  cancelled: 'bg-stone-200 text-stone-800 dark:bg-stone-700 dark:text-stone-100',
  refunded: 'bg-rose-100 text-rose-900 dark:bg-rose-900/50 dark:text-rose-100',
}

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONE[status]}`}>{status}</span>
}
