import { expect, it } from 'vitest'
import { AUDIT_ACTIONS as SERVER } from '../server/modules/audit/service.ts'
import { AUDIT_ACTIONS as WEB } from '../web/src/features/admin/types.ts'

it("the audit page's action filter offers every action the server records", () => {
  expect([...WEB]).toEqual([...SERVER])
})
