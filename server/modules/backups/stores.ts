import type { Config } from '../../config.ts'
import { type S3Store, s3StoreFromConfig } from './s3-store.ts'
import { type BackupStore, LocalStore } from './store.ts'

/** One S3 client per configuration (it pools its connections). */
const buckets = new WeakMap<Config, S3Store | undefined>()

/**
 * The stores every backup is written to, in the order they are read from: the local directory
 * first, then the S3-compatible bucket when BACKUP_S3_BUCKET names one (the off-site copy).
 */
export function backupStores(ctx: { config: Config }): BackupStore[] {
  const { config } = ctx
  if (!buckets.has(config)) buckets.set(config, s3StoreFromConfig(config))
  const s3 = buckets.get(config)
  const local = new LocalStore(config.backups.dir)
  return s3 ? [local, s3] : [local]
}
