import type { ColumnType, Generated } from 'kysely'

/** Table types for Kysely. Each module adds its tables here when its migration lands. */

type Timestamp = ColumnType<Date, Date | string, Date | string>

export interface InstancesTable {
  id: string
  hostname: string
  pid: number
  role: string
  version: string
  commit: string
  started_at: Timestamp
  last_seen_at: Timestamp
  stopped_at: Timestamp | null
}

export interface Tables {
  instances: InstancesTable
}

export type { Generated }
