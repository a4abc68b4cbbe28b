import type { AppContext } from '../../context.ts'
import { retryOnConflict } from '../../platform/db/retry.ts'
import type { OrderSource } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'
import type { KeyRow } from '../../platform/http/idempotency.ts'
import { type BatchOrder, bookOrders } from './batch.ts'

/** One order waiting to be written, with its Idempotency-Key row when the request had one. */
export interface PendingOrder {
  id: string
  order: BatchOrder
  source: OrderSource
  key?: KeyRow
}

interface Waiting extends PendingOrder {
  resolve: () => void
  reject: (error: unknown) => void
}

/** At most this many orders go into one statement. */
const MAX_BATCH = 100

/**
 * Group commit for order intake. While one write is in flight, orders that arrive wait, and
 * then all of them are written as one statement (`bookOrders`): one commit, one round trip and
 * one lock of each rollup row for the lot, instead of one of each per order. With nothing in
 * flight an order is written at once, so a lone order waits for nobody. A batch is atomic: when
 * its statement fails (one order's duplicate external id, two requests racing with one key),
 * nothing of it was written, and each of its orders is written alone, so only the order at
 * fault gets the error.
 */
export class OrderWriter {
  readonly #queue: Waiting[] = []
  #writing = false

  constructor(private readonly ctx: AppContext) {}

  write(pending: PendingOrder): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...pending, resolve, reject })
      if (!this.#writing) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#writing = true
    try {
      while (this.#queue.length > 0) await this.#writeBatch(this.#queue.splice(0, MAX_BATCH))
    } finally {
      this.#writing = false
    }
  }

  async #writeBatch(batch: Waiting[]): Promise<void> {
    if (batch.length > 1 && batch.every((w) => w.source === batch[0]!.source)) {
      try {
        await this.#book(batch)
        for (const waiting of batch) waiting.resolve()
        return
      } catch {
        // Nothing of the batch was written: each order alone, so only the one at fault fails.
      }
    }
    for (const waiting of batch)
      await this.#book([waiting]).then(waiting.resolve, (error) =>
        waiting.reject(duplicateExternalId(error, waiting)),
      )
  }

  /** One statement, so a deadlock victim (a status change locking the same rows) is simply run again. */
  #book(batch: Waiting[]): Promise<unknown> {
    const keys = batch.flatMap((w) => (w.key ? [w.key] : []))
    return retryOnConflict(() =>
      bookOrders(
        this.ctx,
        this.ctx.db,
        batch.map((w) => w.order),
        batch[0]!.source,
        'system',
        {
          ids: batch.map((w) => w.id),
          also: keys.length > 0 ? [this.ctx.db.insertInto('idempotency_keys').values(keys)] : [],
        },
      ),
    )
  }
}

/** The refusal for an order whose (source, external id) is booked already; other errors as they are. */
export function duplicateExternalId(
  error: unknown,
  pending: Pick<PendingOrder, 'order' | 'source'>,
): unknown {
  if ((error as { constraint?: string }).constraint !== 'orders_source_external_id_uq') return error
  return new AppError(
    409,
    'DUPLICATE_EXTERNAL_ID',
    `An order ${pending.order.externalId} from ${pending.source} exists already`,
  )
}

const writers = new WeakMap<AppContext, OrderWriter>()

/** This process's group-commit writer. */
export function orderWriter(ctx: AppContext): OrderWriter {
  let writer = writers.get(ctx)
  if (!writer) {
    writer = new OrderWriter(ctx)
    writers.set(ctx, writer)
  }
  return writer
}
