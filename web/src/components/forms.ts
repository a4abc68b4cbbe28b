/** Class names shared by forms, so fields and buttons look, focus and darken alike on every page. */

/** A full-width field under its label. */
export const fieldClass =
  'mt-1 block w-full rounded-md border border-stone-300 bg-white px-3 py-2 text-sm text-stone-900 focus:outline-2 focus:outline-amber-600 dark:border-stone-600 dark:bg-stone-900 dark:text-stone-100'

/** A compact field in a row of filters or table cells. */
export const inlineFieldClass =
  'rounded-md border border-stone-300 bg-white px-2 py-1 text-sm text-stone-900 dark:border-stone-600 dark:bg-stone-900 dark:text-stone-100'

export const labelClass = 'block text-sm font-medium text-stone-800 dark:text-stone-200'

export const primaryButton =
  'rounded-md bg-amber-700 px-4 py-2 text-sm font-medium text-white hover:bg-amber-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600 disabled:opacity-60'

export const secondaryButton =
  'rounded-md border border-stone-300 px-3 py-1 text-sm font-medium text-stone-800 hover:bg-stone-100 disabled:opacity-60 dark:border-stone-600 dark:text-stone-100 dark:hover:bg-stone-800'

export const dangerButton =
  'rounded-md border border-red-300 px-3 py-1 text-sm font-medium text-red-800 hover:bg-red-50 disabled:opacity-60 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950'

/** A titled card for one form (settings, admin forms). */
export const cardClass =
  'space-y-4 rounded-lg border border-stone-200 bg-white p-4 dark:border-stone-800 dark:bg-stone-900'
