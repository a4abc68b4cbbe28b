import type { Static } from 'typebox'
import type { AppContext } from '../../context.ts'
import type { DeploymentKind, DeploymentStatus } from '../../platform/db/schema.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'
import { type Actor, actorLabel, type RequestFacts } from '../../platform/http/principal.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import { recordAudit } from '../audit/service.ts'
import { publishBusinessEvent } from '../orders/events.ts'
import {
  type DeploymentRow,
  hadRelease,
  type JoinedRow,
  joined,
  lockEnvironment,
  newest,
  newestOtherRelease,
  type ReleaseRef,
} from './repo.ts'
import {
  type CheckDetailView,
  COMMIT_PATTERN,
  type Deployment,
  type Detector,
  ENVIRONMENT_PATTERN,
  VERSION_PATTERN,
} from './schemas.ts'

/**
 * Release tracking: deployments recorded when a replica starts a new version, or by CI and
 * operators (API, CLI); listed newest first with the regression check's verdict (`check.ts`).
 */

export type DeploymentView = Static<typeof Deployment>
export type DetectorView = Static<typeof Detector>
type Source = 'startup' | 'api' | 'cli'

export interface RecordInput {
  version: string
  commit?: string | null
  environment?: string
  kind?: DeploymentKind
  status?: DeploymentStatus
  notes?: string
  startedAt?: Date
  finishedAt?: Date
  rollsBack?: string
}

export interface StatusPatch {
  status?: DeploymentStatus
  finishedAt?: Date
  notes?: string | null
}

/** How far ahead of this server's clock a reported time may be (CI runners' clocks drift). */
const CLOCK_SKEW_MS = 5 * 60_000
/** Earliest time accepted: older is a typing error (and year 0 is no PostgreSQL date). */
const EARLIEST = Date.UTC(2000, 0, 1)
const DEFAULT_LIMIT = 20

const invalid = (code: string, message: string) => new AppError(400, code, message)

/** GIT_COMMIT is "unknown" when it could not be found: stored as no commit. */
const commitOf = (commit: string | null | undefined) =>
  commit === undefined || commit === null || commit === 'unknown' ? null : commit

function checkRelease(input: { version: string; commit: string | null; environment: string }): void {
  if (!new RegExp(VERSION_PATTERN).test(input.version))
    throw invalid('INVALID_VERSION', 'version must be 1–100 letters, digits or . _ + ~ - (e.g. 1.4.2)')
  if (input.commit !== null && !new RegExp(COMMIT_PATTERN).test(input.commit))
    throw invalid('INVALID_COMMIT', 'commit must be 1–64 letters, digits or . _ - (a git SHA)')
  if (!new RegExp(ENVIRONMENT_PATTERN).test(input.environment))
    throw invalid(
      'INVALID_ENVIRONMENT',
      'environment must be 1–32 lower-case letters, digits, _ or -, starting with a letter or digit',
    )
}

function checkTime(value: Date, name: string, now: number): void {
  if (Number.isNaN(value.getTime()) || value.getTime() < EARLIEST)
    throw invalid('INVALID_TIME', `${name} must be a time from the year 2000 on`)
  if (value.getTime() > now + CLOCK_SKEW_MS) throw invalid('INVALID_TIME', `${name} is in the future`)
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

function releaseOf(ref: ReleaseRef | null) {
  return ref
    ? {
        id: ref.id,
        version: ref.version,
        commit: ref.commit,
        startedAt: new Date(ref.started_at).toISOString(),
      }
    : null
}

export function present(row: JoinedRow): DeploymentView {
  const detail = (row.check_detail as CheckDetailView | null) ?? null
  return {
    id: row.id,
    environment: row.environment,
    version: row.version,
    commit: row.commit,
    kind: row.kind,
    status: row.status,
    source: row.source,
    startedAt: iso(row.started_at)!,
    finishedAt: iso(row.finished_at),
    createdBy: row.created_by,
    notes: row.notes,
    rollsBack: releaseOf(row.rolls_back),
    check: {
      state: row.check_state,
      checkedAt: iso(row.checked_at),
      summary: detail && detail.reasons.length > 0 ? detail.reasons.join('; ') : null,
      rollbackTo: releaseOf(row.last_good),
      detail,
    },
  }
}

/** What the check compares and the release this instance runs, for the list's readers. */
export function detector(ctx: AppContext): DetectorView {
  const settings = ctx.config.deployments
  return {
    environment: ctx.config.env,
    version: ctx.config.version,
    commit: commitOf(ctx.config.commit),
    windowMinutes: settings.windowMinutes,
    minRequests: settings.minRequests,
    errorRatePoints: settings.errorRatePoints,
    errorRateFactor: settings.errorRateFactor,
    p95Factor: settings.p95Factor,
    p95Ms: settings.p95Ms,
  }
}

async function announce(ctx: AppContext, id: string): Promise<void> {
  await publishBusinessEvent(ctx, 'deployment.changed', { id })
}

export async function getDeployment(ctx: AppContext, id: string): Promise<DeploymentView> {
  if (!BIGINT_ID.test(id)) throw notFound(`No deployment ${id}`)
  const row = await joined(ctx.db).where('deployments.id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No deployment ${id}`)
  return present(row as JoinedRow)
}

/** Newest first (by start, then id), optionally of one environment and since a time; keyset-paged. */
export async function listDeployments(
  ctx: AppContext,
  options: { environment?: string; since?: Date; limit?: number; cursor?: string } = {},
): Promise<{ items: DeploymentView[]; nextCursor: string | null; detector: DetectorView }> {
  const limit = options.limit ?? DEFAULT_LIMIT
  let query = joined(ctx.db)
    .orderBy('deployments.started_at', 'desc')
    .orderBy('deployments.id', 'desc')
    .limit(limit + 1)
  if (options.environment) query = query.where('deployments.environment', '=', options.environment)
  if (options.since) query = query.where('deployments.started_at', '>=', options.since)
  if (options.cursor) {
    const [time, id] = decodeCursor(options.cursor, 2) as [string, string]
    const at = cursorTime(time)
    if (!BIGINT_ID.test(id)) throw invalid('BAD_REQUEST', 'cursor is not one this API gave out')
    query = query.where((eb) =>
      eb.or([
        eb('deployments.started_at', '<', at),
        eb.and([eb('deployments.started_at', '=', at), eb('deployments.id', '<', id)]),
      ]),
    )
  }
  const rows = (await query.execute()) as JoinedRow[]
  const items = rows.slice(0, limit).map(present)
  const last = items.at(-1)
  return {
    items,
    nextCursor: rows.length > limit && last ? encodeCursor([last.startedAt, last.id]) : null,
    detector: detector(ctx),
  }
}

/**
 * Records the release this process runs when it differs from the environment's newest
 * deployment that did not fail (another version, or another commit where both are known), and
 * nothing when it is the same (a restart, or a replica of a deployment already recorded).
 * A release that an earlier deployment of the environment had is recorded as a rollback of the
 * newest one. Replicas starting together record it once: the environment's lock orders them.
 */
export async function recordStartupDeployment(
  ctx: AppContext,
  release: { environment: string; version: string; commit: string | null } = {
    environment: ctx.config.env,
    version: ctx.config.version,
    commit: ctx.config.commit,
  },
): Promise<DeploymentView | null> {
  const commit = commitOf(release.commit)
  const { environment, version } = release
  checkRelease({ environment, version, commit })
  const now = ctx.clock.now()
  const id = await ctx.db.transaction().execute(async (tx) => {
    await lockEnvironment(tx, environment)
    const latest = await newest(tx, environment, { live: true })
    if (latest && isSameRelease(latest, { version, commit })) return null
    const rollback = latest !== undefined && (await hadRelease(tx, environment, { version, commit }))
    const undone = rollback ? await newestOtherRelease(tx, environment, { version, commit }) : undefined
    const inserted = await tx
      .insertInto('deployments')
      .values({
        environment,
        version,
        commit,
        kind: rollback ? 'rollback' : 'deploy',
        status: 'succeeded',
        source: 'startup',
        started_at: now,
        finished_at: now,
        created_by: 'system',
        rolls_back_id: undone?.id ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    return inserted.id
  })
  if (id === null) return null
  const view = await getDeployment(ctx, id)
  ctx.logger.info(
    { deployment: id, version, commit, environment, kind: view.kind },
    'deployment recorded at start',
  )
  await announce(ctx, id)
  return view
}

function isSameRelease(row: DeploymentRow, release: { version: string; commit: string | null }): boolean {
  return (
    row.version === release.version &&
    (row.commit === null || release.commit === null || row.commit === release.commit)
  )
}

/**
 * A deployment or rollback reported by CI or an operator. When the environment's newest
 * deployment is the same release and did not fail (e.g. recorded a moment earlier by a replica
 * starting it, or CI's own `started`), that record is completed instead of adding another:
 * status, finish time, notes, kind and commit are taken from the report, the start is the
 * earlier of the two. `created` says which happened.
 */
export async function recordDeployment(
  ctx: AppContext,
  input: RecordInput,
  actor: Actor,
  options: { source: Exclude<Source, 'startup'>; request?: RequestFacts },
): Promise<{ deployment: DeploymentView; created: boolean }> {
  const now = ctx.clock.now()
  const environment = input.environment ?? ctx.config.env
  const commit = commitOf(input.commit)
  const status = input.status ?? 'succeeded'
  checkRelease({ environment, version: input.version, commit })
  if (input.startedAt) checkTime(input.startedAt, 'startedAt', now.getTime())
  if (input.finishedAt) checkTime(input.finishedAt, 'finishedAt', now.getTime())
  if (status === 'started' && input.finishedAt)
    throw invalid('INVALID_TIME', 'a deployment that has only started has no finishedAt')
  if (input.startedAt && input.finishedAt && input.finishedAt < input.startedAt)
    throw invalid('INVALID_TIME', 'finishedAt is before startedAt')
  if (input.rollsBack !== undefined && input.kind !== 'rollback')
    throw invalid('VALIDATION_FAILED', 'rollsBack is only for kind rollback')
  // The start defaults to now, but never after a finish that was given (a report of a
  // deployment that finished a moment ago): the row's finish may not precede its start.
  const startedAt = input.startedAt ?? (input.finishedAt && input.finishedAt < now ? input.finishedAt : now)
  const finishing = status !== 'started'
  const finishedAt = finishing
    ? (input.finishedAt ?? new Date(Math.max(now.getTime(), startedAt.getTime())))
    : null

  const outcome = await ctx.db.transaction().execute(async (tx) => {
    await lockEnvironment(tx, environment)
    const latest = await newest(tx, environment)
    const release = { version: input.version, commit }
    /** What a rollback undoes: the one named, else the newest deployment of another release. */
    const rollsBack = async (): Promise<string | null> => {
      if (input.rollsBack === undefined)
        return (await newestOtherRelease(tx, environment, release))?.id ?? null
      const target = await tx
        .selectFrom('deployments')
        .select(['id', 'environment'])
        .where('id', '=', input.rollsBack)
        .executeTakeFirst()
      if (!target || target.environment !== environment)
        throw new AppError(
          422,
          'UNKNOWN_DEPLOYMENT',
          `No deployment ${input.rollsBack} in environment ${environment} to roll back`,
        )
      return target.id
    }

    if (latest && latest.status !== 'failed' && isSameRelease(latest, release)) {
      const keepStatus = status === 'started' && latest.status !== 'started'
      const kind = input.kind ?? latest.kind
      const changes = {
        status: keepStatus ? latest.status : status,
        started_at:
          input.startedAt && input.startedAt < latest.started_at ? input.startedAt : latest.started_at,
        finished_at: keepStatus ? latest.finished_at : (input.finishedAt ?? latest.finished_at ?? finishedAt),
        notes: input.notes ?? latest.notes,
        commit: latest.commit ?? commit,
        kind,
        rolls_back_id:
          kind !== 'rollback'
            ? null
            : input.rollsBack === undefined && latest.rolls_back_id
              ? latest.rolls_back_id
              : await rollsBack(),
      }
      if (changes.finished_at && changes.finished_at < changes.started_at)
        changes.finished_at = changes.started_at
      const retimed =
        changes.status !== latest.status ||
        changes.started_at.getTime() !== latest.started_at.getTime() ||
        (changes.finished_at?.getTime() ?? null) !== (latest.finished_at?.getTime() ?? null)
      await tx
        .updateTable('deployments')
        .set({ ...changes, updated_at: now, ...(retimed ? resetCheck : {}) })
        .where('id', '=', latest.id)
        .execute()
      await recordAudit(tx, {
        actor,
        action: 'deployment_record',
        target: { type: 'deployment', id: latest.id },
        request: options.request,
        oldValues: auditValues(latest),
        newValues: { ...auditValues({ ...latest, ...changes }), merged: true },
      })
      return { id: latest.id, created: false }
    }

    const kind = input.kind ?? ((await hadRelease(tx, environment, release)) ? 'rollback' : 'deploy')
    const values = {
      environment,
      version: input.version,
      commit,
      kind,
      status,
      source: options.source,
      started_at: startedAt,
      finished_at: finishedAt,
      created_by: actorLabel(actor),
      notes: input.notes ?? null,
      rolls_back_id: kind === 'rollback' ? await rollsBack() : null,
      created_at: now,
      updated_at: now,
    }
    const inserted = await tx
      .insertInto('deployments')
      .values(values)
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(tx, {
      actor,
      action: 'deployment_record',
      target: { type: 'deployment', id: inserted.id },
      request: options.request,
      newValues: auditValues(values),
    })
    return { id: inserted.id, created: true }
  })
  await announce(ctx, outcome.id)
  return { deployment: await getDeployment(ctx, outcome.id), created: outcome.created }
}

/** A verdict given before a status or time changed no longer holds: checked again. */
const resetCheck = {
  check_state: 'pending',
  checked_at: null,
  check_detail: null,
  last_good_id: null,
  check_claimed_by: null,
  check_claimed_until: null,
} as const

function auditValues(row: {
  environment: string
  version: string
  commit: string | null
  kind: string
  status: string
  started_at: Date
  finished_at: Date | null
  notes: string | null
  rolls_back_id: string | null
}): Record<string, unknown> {
  return {
    environment: row.environment,
    version: row.version,
    commit: row.commit,
    kind: row.kind,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    notes: row.notes,
    rollsBack: row.rolls_back_id,
  }
}

/**
 * Marks how a deployment ended (CI: `started`, then `succeeded` or `failed`) or changes its
 * notes. A started deployment may succeed or fail, a succeeded one may still be marked failed;
 * a failed one stays failed (record the release again), and nothing goes back to started.
 */
export async function updateDeployment(
  ctx: AppContext,
  id: string,
  patch: StatusPatch,
  actor: Actor,
  request?: RequestFacts,
): Promise<DeploymentView> {
  if (!BIGINT_ID.test(id)) throw notFound(`No deployment ${id}`)
  const now = ctx.clock.now()
  if (patch.finishedAt) checkTime(patch.finishedAt, 'finishedAt', now.getTime())
  await ctx.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('deployments')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst()
    if (!current) throw notFound(`No deployment ${id}`)
    const status = patch.status ?? current.status
    if (status !== current.status) {
      const allowed =
        (current.status === 'started' && status !== 'started') ||
        (current.status === 'succeeded' && status === 'failed')
      if (!allowed)
        throw new AppError(
          409,
          'INVALID_TRANSITION',
          current.status === 'failed'
            ? 'A failed deployment stays failed; record the release again to deploy it anew'
            : `A ${current.status} deployment cannot become ${status}`,
        )
    }
    if (status === 'started' && patch.finishedAt)
      throw invalid('INVALID_TIME', 'a deployment that has only started has no finishedAt')
    let finishedAt = current.finished_at
    if (patch.finishedAt) finishedAt = patch.finishedAt
    else if (current.status === 'started' && status !== 'started')
      finishedAt = new Date(Math.max(now.getTime(), current.started_at.getTime()))
    if (finishedAt && finishedAt < current.started_at)
      throw invalid('INVALID_TIME', 'finishedAt is before the deployment started')
    const notes = patch.notes === undefined ? current.notes : patch.notes?.trim() || null
    const retimed =
      status !== current.status ||
      (finishedAt?.getTime() ?? null) !== (current.finished_at?.getTime() ?? null)
    await tx
      .updateTable('deployments')
      .set({ status, finished_at: finishedAt, notes, updated_at: now, ...(retimed ? resetCheck : {}) })
      .where('id', '=', id)
      .execute()
    await recordAudit(tx, {
      actor,
      action: 'deployment_update',
      target: { type: 'deployment', id },
      request,
      oldValues: { status: current.status, finishedAt: iso(current.finished_at), notes: current.notes },
      newValues: { status, finishedAt: iso(finishedAt), notes },
    })
  })
  await announce(ctx, id)
  return getDeployment(ctx, id)
}
