import type { Migration } from 'kysely'
import * as m0001 from './0001_instances.ts'
import * as m0002 from './0002_audit_logs.ts'
import * as m0003 from './0003_api_keys.ts'
import * as m0004 from './0004_security.ts'
import * as m0005 from './0005_auth.ts'
import * as m0006 from './0006_settings.ts'
import * as m0007 from './0007_invitations.ts'
import * as m0008 from './0008_business.ts'
import * as m0009 from './0009_imports.ts'
import * as m0010 from './0010_connectors.ts'
import * as m0011 from './0011_stock_daily.ts'
import * as m0012 from './0012_order_history.ts'
import * as m0013 from './0013_metric_series.ts'
import * as m0014 from './0014_notifications.ts'
import * as m0015 from './0015_maintenance.ts'
import * as m0016 from './0016_errors.ts'
import * as m0017 from './0017_oncall.ts'
import * as m0018 from './0018_alerting.ts'
import * as m0019 from './0019_incidents.ts'
import * as m0020 from './0020_deployments.ts'
import * as m0021 from './0021_backups.ts'
import * as m0022 from './0022_db_maintenance.ts'
import * as m0023 from './0023_backup_drills.ts'
import * as m0024 from './0024_rollup_fillfactor.ts'

/** Every migration, in order. Files are never edited after they land; add a new one instead. */
export const migrations: Record<string, Migration> = {
  '0001_instances': m0001,
  '0002_audit_logs': m0002,
  '0003_api_keys': m0003,
  '0004_security': m0004,
  '0005_auth': m0005,
  '0006_settings': m0006,
  '0007_invitations': m0007,
  '0008_business': m0008,
  '0009_imports': m0009,
  '0010_connectors': m0010,
  '0011_stock_daily': m0011,
  '0012_order_history': m0012,
  '0013_metric_series': m0013,
  '0014_notifications': m0014,
  '0015_maintenance': m0015,
  '0016_errors': m0016,
  '0017_oncall': m0017,
  '0018_alerting': m0018,
  '0019_incidents': m0019,
  '0020_deployments': m0020,
  '0021_backups': m0021,
  '0022_db_maintenance': m0022,
  '0023_backup_drills': m0023,
  '0024_rollup_fillfactor': m0024,
}
