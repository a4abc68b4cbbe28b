import { sql } from 'kysely'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import { decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { badRequest } from '../../platform/http/errors.ts'
import { BASE_CURRENCY } from './fx.ts'
import type { OpenItemQuery } from './schemas.ts'

const DAY = 86_400_000

type Kind = 'receivables' | 'payables'

interface Row {
  id: string
  counterparty: string | null
  reference: string
  currency: string
  amount: string
  amount_base: string
  issued_on: string
  due_on: string
  paid_on: string | null
}

/** A YYYY-MM-DD that names a real day (not 2026-02-31), from 1970 on. */
function isRealDay(value: string): boolean {
  if (!/^\d{4}-\d\d-\d\d$/.test(value) || value < '1970-01-01') return false
  const ms = Date.parse(`${value}T00:00:00Z`)
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value)
}

/**
 * Receivables (to customers and channels' payouts) or payables (to suppliers, named), by due day
 * then id, keyset-paged; with the open and overdue totals in the base currency whatever the filter.
 * Overdue: open and due before today (UTC).
 */
export async function listOpenItems(ctx: AppContext, kind: Kind, query: OpenItemQuery) {
  const todayMs = Math.floor(ctx.clock.ms() / DAY) * DAY
  const today = new Date(todayMs).toISOString().slice(0, 10)
  // open on today: not paid by the end of it, as the working-capital report counts balances
  const open = sql`(i.paid_on is null or i.paid_on > ${today}::date)`
  const filters = {
    open,
    overdue: sql`${open} and i.due_on < ${today}::date`,
    paid: sql`not ${open}`,
    all: sql`true`,
  }
  let after = sql`true`
  if (query.cursor) {
    const [dueOn = '', id = ''] = decodeCursor(query.cursor, 2)
    if (!isRealDay(dueOn) || id === '' || id.includes('\u0000'))
      throw badRequest('cursor is not one this API gave out')
    after = sql`(i.due_on, i.id) > (${dueOn}::date, ${id})`
  }
  const from =
    kind === 'receivables'
      ? sql`receivables i`
      : sql`payables i left join suppliers s on s.id = i.supplier_id`
  const counterparty = kind === 'receivables' ? sql`i.counterparty` : sql`s.name`
  const [rows, totals] = await Promise.all([
    sql<Row>`
      select i.id, ${counterparty} as counterparty, i.reference, i.currency, i.amount, i.amount_base,
        i.issued_on, i.due_on, i.paid_on
      from ${from} where ${filters[query.status]} and ${after}
      order by i.due_on, i.id limit ${query.limit + 1}`.execute(ctx.db),
    totalsOf(ctx, kind, today),
  ])
  return {
    currency: BASE_CURRENCY,
    today,
    ...totals,
    ...pageOf(
      rows.rows,
      query.limit,
      (row) => {
        const overdue = (row.paid_on === null || row.paid_on > today) && row.due_on < today
        return {
          id: row.id,
          counterparty: row.counterparty,
          reference: row.reference,
          currency: row.currency.trim(),
          amount: Number(row.amount),
          amountBase: Number(row.amount_base),
          issuedOn: row.issued_on,
          dueOn: row.due_on,
          paidOn: row.paid_on,
          daysOverdue: overdue ? Math.round((todayMs - Date.parse(`${row.due_on}T00:00:00Z`)) / DAY) : null,
        }
      },
      (last) => encodeCursor([last.due_on, last.id]),
    ),
  }
}

async function totalsOf(ctx: AppContext, kind: Kind, today: string) {
  const { rows } = await sql<{ open: string; open_base: string; overdue: string; overdue_base: string }>`
    select count(*) as open, coalesce(sum(amount_base), 0) as open_base,
      count(*) filter (where due_on < ${today}::date) as overdue,
      coalesce(sum(amount_base) filter (where due_on < ${today}::date), 0) as overdue_base
    from ${sql.table(kind)} where paid_on is null or paid_on > ${today}::date`.execute(ctx.db)
  const row = rows[0]!
  return {
    open: { count: Number(row.open), amountBase: Number(row.open_base) },
    overdue: { count: Number(row.overdue), amountBase: Number(row.overdue_base) },
  }
}
