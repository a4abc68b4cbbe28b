import { useMaintenanceBanner } from './useMaintenanceBanner.ts'

const locale = typeof navigator === 'undefined' ? 'en-GB' : navigator.language
const format = new Intl.DateTimeFormat(locale, {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
})

/** A time in the reader's own time zone, named, so nobody has to convert. */
function When({ iso }: { iso: string }) {
  return <time dateTime={iso}>{format.format(new Date(iso))}</time>
}

/** The maintenance notice at the top of every page: from 48 hours before a window until it ends. */
export function MaintenanceBanner() {
  const { data: banner } = useMaintenanceBanner()
  if (!banner) return null
  return (
    <p
      role="status"
      className="border-b border-sky-200 bg-sky-50 px-4 py-2 text-sm text-sky-950 dark:border-sky-900 dark:bg-sky-950/60 dark:text-sky-100"
    >
      {banner.inProgress ? (
        <>
          <strong>Maintenance in progress:</strong> {banner.title}, until <When iso={banner.end} />.
          {banner.readOnly && ' Changes are paused until then; everything can still be viewed.'}
        </>
      ) : (
        <>
          <strong>Scheduled maintenance:</strong> {banner.title}, <When iso={banner.start} /> to{' '}
          <When iso={banner.end} />.{banner.readOnly && ' The dashboard will be read-only during it.'}
        </>
      )}
    </p>
  )
}
