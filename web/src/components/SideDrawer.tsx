import { type ReactNode, useEffect, useRef } from 'react'

/** A modal dialog at the side of the screen with a title and a Close button; Escape closes it too. */
export function SideDrawer({
  titleId,
  title,
  onClose,
  children,
}: {
  titleId: string
  title: ReactNode
  onClose: () => void
  children: ReactNode
}) {
  const dialog = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const element = dialog.current
    if (element && !element.open) element.showModal()
  }, [])
  return (
    <dialog
      ref={dialog}
      onClose={onClose}
      aria-labelledby={titleId}
      className="m-0 ml-auto h-full max-h-none w-full max-w-lg overflow-y-auto bg-white p-0 text-stone-900 backdrop:bg-black/40 dark:bg-stone-900 dark:text-stone-100"
    >
      <div className="flex items-center justify-between gap-2 border-b border-stone-200 p-4 dark:border-stone-800">
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <button
          type="button"
          onClick={() => dialog.current?.close()}
          className="rounded-md px-3 py-1 text-sm hover:bg-stone-100 dark:hover:bg-stone-800"
        >
          Close
        </button>
      </div>
      <div className="p-4">{children}</div>
    </dialog>
  )
}
