import type { Importer, ImportType } from '../types.ts'
import { ordersImporter } from './orders.ts'
import { productsImporter } from './products.ts'
import { sessionsImporter } from './sessions.ts'
import { stockImporter } from './stock.ts'

/** Every kind of CSV import, by type: the one lookup the routes and the CLI use. */
export const IMPORTERS: Record<ImportType, Importer> = {
  orders: ordersImporter as Importer,
  products: productsImporter as Importer,
  stock: stockImporter as Importer,
  sessions: sessionsImporter as Importer,
}
