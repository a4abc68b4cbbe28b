import type { Selectable } from 'kysely'
import { Value } from 'typebox/value'
import type { AppContext } from '../../context.ts'
import type { AlertRulesTable, AlertSeverity } from '../../platform/db/schema.ts'
import { badRequest, conflict, notFound } from '../../platform/http/errors.ts'
import type { Actor, RequestFacts } from '../../platform/http/principal.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import { recordAudit } from '../audit/service.ts'
import { metricCatalog } from '../monitoring/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import type { RuleCondition } from './conditions.ts'
import { DEFAULT_RULES } from './defaults.ts'
import { Condition } from './schemas.ts'

/** Alert rules: the runbook's defaults plus rules admins add, over any metric in the catalog. */

export type RuleRow = Selectable<AlertRulesTable>

export type RuleView = RuleCondition & {
  id: string
  name: string
  description: string
  metric: string
  severity: AlertSeverity
  forSeconds: number
  labels: Record<string, string>
  enabled: boolean
  builtin: string | null
  createdAt: string
  updatedAt: string
}

export type RuleInput = RuleCondition & {
  name: string
  description?: string
  metric: string
  severity: AlertSeverity
  forSeconds?: number
  labels?: Record<string, string>
  enabled?: boolean
}

export function ruleView(row: RuleRow): RuleView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    metric: row.metric,
    kind: row.kind,
    params: row.params,
    severity: row.severity,
    forSeconds: row.for_seconds,
    labels: row.labels,
    enabled: row.enabled,
    builtin: row.builtin,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  } as RuleView
}

export function conditionOf(row: RuleRow): RuleCondition {
  return { kind: row.kind, params: row.params } as RuleCondition
}

/** Installs the default rules that are missing (by their built-in key); never overwrites one. */
export async function ensureDefaultRules(ctx: AppContext): Promise<void> {
  const now = ctx.clock.now()
  await ctx.db
    .insertInto('alert_rules')
    .values(
      DEFAULT_RULES.map((rule) => ({
        name: rule.name,
        description: rule.description,
        metric: rule.metric,
        kind: rule.kind,
        params: JSON.stringify(rule.params),
        severity: rule.severity,
        for_seconds: rule.forSeconds,
        builtin: rule.builtin,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute()
}

export async function listRules(ctx: AppContext): Promise<RuleView[]> {
  const rows = await ctx.db.selectFrom('alert_rules').selectAll().orderBy('id').execute()
  return rows.map(ruleView)
}

async function findRule(ctx: AppContext, id: string): Promise<RuleRow> {
  if (!BIGINT_ID.test(id)) throw notFound('No such alert rule')
  const row = await ctx.db.selectFrom('alert_rules').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound('No such alert rule')
  return row
}

export async function getRule(ctx: AppContext, id: string): Promise<RuleView> {
  return ruleView(await findRule(ctx, id))
}

function checkInput(input: Partial<RuleInput>): void {
  if (input.kind !== undefined && !Value.Check(Condition, { kind: input.kind, params: input.params })) {
    const problem = [...Value.Errors(Condition, { kind: input.kind, params: input.params })][0]
    throw badRequest(`The params do not fit a ${input.kind} rule${problem ? `: ${problem.message}` : ''}`)
  }
  if (input.metric !== undefined && !metricCatalog.some((m) => m.name === input.metric))
    throw badRequest(`Unknown metric "${input.metric}"; GET /api/metrics/catalog lists them`)
  if (input.kind === 'threshold' && input.params?.warn !== undefined) {
    const { op, warn, alert } = input.params
    const warnFirst = op.startsWith('>') ? warn < alert : warn > alert
    if (!warnFirst) throw badRequest('The warning level must be reached before the alert level')
  }
}

async function nameTaken(ctx: AppContext, name: string, except?: string): Promise<boolean> {
  let query = ctx.db.selectFrom('alert_rules').select('id').where('name', '=', name)
  if (except) query = query.where('id', '<>', except)
  return (await query.executeTakeFirst()) !== undefined
}

export async function createRule(
  ctx: AppContext,
  input: RuleInput,
  actor: Actor,
  request?: RequestFacts,
): Promise<RuleView> {
  checkInput(input)
  if (await nameTaken(ctx, input.name)) throw conflict(`A rule named "${input.name}" exists`)
  const now = ctx.clock.now()
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('alert_rules')
      .values({
        name: input.name,
        description: input.description ?? '',
        metric: input.metric,
        kind: input.kind,
        params: JSON.stringify(input.params),
        severity: input.severity,
        for_seconds: input.forSeconds ?? 0,
        labels: JSON.stringify(input.labels ?? {}),
        enabled: input.enabled ?? true,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    const view = ruleView(row)
    await recordAudit(tx, {
      actor,
      action: 'alert_rule_create',
      target: { type: 'alert_rule', id: row.id },
      request,
      newValues: { ...view },
    })
    return view
  })
}

export async function updateRule(
  ctx: AppContext,
  id: string,
  patch: Partial<RuleInput>,
  actor: Actor,
  request?: RequestFacts,
): Promise<RuleView> {
  const before = await findRule(ctx, id)
  if (before.builtin && (patch.metric !== undefined || patch.kind !== undefined))
    throw badRequest('A built-in rule keeps its metric and kind; change its levels, or add a rule')
  if (patch.kind !== undefined && patch.params === undefined)
    throw badRequest('Changing the kind needs its params')
  const merged = { ...conditionOf(before), ...patch } as Partial<RuleInput>
  checkInput(merged)
  if (patch.name && (await nameTaken(ctx, patch.name, id)))
    throw conflict(`A rule named "${patch.name}" exists`)
  return ctx.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('alert_rules')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.description !== undefined && { description: patch.description }),
        ...(patch.metric !== undefined && { metric: patch.metric }),
        ...(patch.kind !== undefined && { kind: patch.kind }),
        ...(patch.params !== undefined && { params: JSON.stringify(patch.params) }),
        ...(patch.severity !== undefined && { severity: patch.severity }),
        ...(patch.forSeconds !== undefined && { for_seconds: patch.forSeconds }),
        ...(patch.labels !== undefined && { labels: JSON.stringify(patch.labels) }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled }),
        updated_at: ctx.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const view = ruleView(row)
    await recordAudit(tx, {
      actor,
      action: 'alert_rule_update',
      target: { type: 'alert_rule', id },
      request,
      oldValues: { ...ruleView(before) },
      newValues: { ...view },
    })
    return view
  })
}

export async function deleteRule(
  ctx: AppContext,
  id: string,
  actor: Actor,
  request?: RequestFacts,
): Promise<RuleView> {
  const before = await findRule(ctx, id)
  if (before.builtin) throw conflict('A built-in rule cannot be deleted; disable it instead')
  await ctx.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('alert_rules').where('id', '=', id).execute()
    await recordAudit(tx, {
      actor,
      action: 'alert_rule_delete',
      target: { type: 'alert_rule', id },
      request,
      oldValues: { ...ruleView(before) },
    })
  })
  await publishBusinessEvent(ctx, 'alert.changed', { rule: id })
  return ruleView(before)
}
