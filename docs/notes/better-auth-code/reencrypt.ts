import { symmetricDecrypt, symmetricEncrypt, parseEnvelope } from 'better-auth/crypto'
import { type Kysely, sql } from 'kysely'
import { toVersionedSecrets } from './secrets.ts'

/** Re-encrypt two_factors.secret / backup_codes under the current secret, so older secrets can be retired. */
export async function reencryptTwoFactor(db: Kysely<any>, secrets: string[]): Promise<number> {
  const versioned = toVersionedSecrets(secrets)
  const key = { keys: new Map(versioned.map((s) => [s.version, s.value])), currentVersion: versioned[0]!.version }
  const { rows } = await sql<{ id: string; secret: string; backup_codes: string }>`SELECT id, secret, backup_codes FROM two_factors`.execute(db)
  let n = 0
  for (const row of rows) {
    if (parseEnvelope(row.secret)?.version === key.currentVersion && parseEnvelope(row.backup_codes)?.version === key.currentVersion) continue
    const secret = await symmetricEncrypt({ key, data: await symmetricDecrypt({ key, data: row.secret }) })
    const backup = await symmetricEncrypt({ key, data: await symmetricDecrypt({ key, data: row.backup_codes }) })
    await sql`UPDATE two_factors SET secret = ${secret}, backup_codes = ${backup} WHERE id = ${row.id}`.execute(db)
    n++
  }
  return n
}
