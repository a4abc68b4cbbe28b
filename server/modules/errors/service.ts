import { sql } from 'kysely'
import { type Config, packageRoot } from '../../config.ts'
import type { AppContext } from '../../context.ts'
import { pageOf } from '../../platform/db/pagination.ts'
import type { Tables } from '../../platform/db/schema.ts'
import { cursorTime, decodeCursor, encodeCursor } from '../../platform/http/cursor.ts'
import { badRequest, notFound } from '../../platform/http/errors.ts'
import { BIGINT_ID } from '../../platform/http/schema.ts'
import type { UnhandledError } from '../../platform/observability/error-sink.ts'
import { secretMasker } from '../../platform/observability/logger.ts'
import { sourceStack } from '../../platform/observability/stack-map.ts'
import { fingerprint } from './fingerprint.ts'
import { forwardToSentry } from './sentry.ts'

export const ERROR_SOURCES = ['server', 'web', 'job'] as const
export type ErrorSource = (typeof ERROR_SOURCES)[number]

/** One occurrence of an error, from the server (a 500, a crash), a job or the web app. */
export interface CapturedError {
  type: string
  message: string
  stack?: string
  source: ErrorSource
  requestId?: string
  route?: string
  method?: string
  /** The web page the error happened on (only its path is kept). */
  url?: string
  userId?: string
  release?: string
}

const TYPE_LIMIT = 200
const MESSAGE_LIMIT = 2000
export const STACK_LIMIT = 16_000
const HOUR = 3_600_000

/** What a release is called in error groups: the version and, when known, the commit. */
export function releaseOf(config: Pick<Config, 'version' | 'commit'>): string {
  return config.commit && config.commit !== 'unknown'
    ? `${config.version}+${config.commit.slice(0, 12)}`
    : config.version
}

/** An occurrence as stored and forwarded: secrets masked, lengths capped, fingerprinted. */
export interface Occurrence extends CapturedError {
  fingerprint: string
  release: string
  /** Where it happened: `GET /api/orders/:id`, a job's queue, a page path. */
  where: string | null
}

export function occurrenceOf(ctx: AppContext, error: CapturedError): Occurrence {
  const mask = secretMasker(ctx.config.secrets)
  const type = error.type.trim().slice(0, TYPE_LIMIT) || 'Error'
  const message = mask(error.message).slice(0, MESSAGE_LIMIT)
  const stack = error.stack ? mask(error.stack).slice(0, STACK_LIMIT) : undefined
  return {
    ...error,
    type,
    message,
    stack,
    url: error.url === undefined ? undefined : pagePath(error.url),
    fingerprint: fingerprint(type, stack, message, packageRoot()),
    release: error.release ?? releaseOf(ctx.config),
    where: whereOf(error),
  }
}

/**
 * Records an error into its group and forwards it to Sentry when SENTRY_DSN is set. Never
 * throws: a failure to record is logged (a database that is down must not hide the error
 * from Sentry, nor turn one error into another).
 */
export async function captureError(ctx: AppContext, error: CapturedError): Promise<void> {
  let occurrence: Occurrence
  try {
    occurrence = occurrenceOf(ctx, error)
  } catch (failure) {
    ctx.logger.warn({ err: failure }, 'could not record an error')
    return
  }
  await Promise.all([
    recordOccurrence(ctx, occurrence).catch((failure) =>
      ctx.logger.warn({ err: failure, fingerprint: occurrence.fingerprint }, 'could not record an error'),
    ),
    forwardToSentry(ctx, occurrence).catch((failure) =>
      ctx.logger.warn({ err: failure }, 'could not forward an error to Sentry'),
    ),
  ])
}

/** An unhandled error from the platform (error handler, job runner, crash) as a captured one. */
export function fromUnhandled(report: UnhandledError): CapturedError {
  const { error } = report
  const base = {
    source: report.source,
    requestId: report.requestId,
    route: report.route,
    method: report.method,
    userId: report.userId,
  }
  if (error instanceof Error)
    return {
      ...base,
      type: errorType(error),
      message: error.message,
      stack: error.stack && sourceStack(error.stack),
    }
  return { ...base, type: 'NonError', message: textOf(error) }
}

/**
 * The error's name, or its class when the name says nothing. PostgreSQL's errors are named
 * `error` by pg and by PGlite (whose class name is minified), so one with a SQLSTATE and a
 * severity is a DatabaseError.
 */
function errorType(error: Error): string {
  if (error.name && error.name.toLowerCase() !== 'error') return error.name
  const { code, severity } = error as { code?: unknown; severity?: unknown }
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string')
    return 'DatabaseError'
  const className = error.constructor?.name
  return className && className !== 'Object' ? className : 'Error'
}

function textOf(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  } catch {
    return String(value)
  }
}

/** A page address without origin, query or fragment (they may carry tokens). */
function pagePath(url: string): string {
  try {
    return new URL(url, 'http://page.invalid').pathname.slice(0, 500)
  } catch {
    return url.split(/[?#]/)[0]!.slice(0, 500)
  }
}

function whereOf(error: CapturedError): string | null {
  if (error.source === 'web') return error.url === undefined ? (error.route ?? null) : pagePath(error.url)
  if (error.method && error.route) return `${error.method} ${error.route}`
  return error.route ?? null
}

/** One statement: the group's upsert, then its hour's count. */
async function recordOccurrence(ctx: AppContext, occurrence: Occurrence): Promise<void> {
  const now = ctx.clock.now()
  const hour = new Date(Math.floor(now.getTime() / HOUR) * HOUR)
  await ctx.db
    .with('grp', (db) =>
      db
        .insertInto('error_groups')
        .values({
          fingerprint: occurrence.fingerprint,
          type: occurrence.type,
          message: occurrence.message,
          source: occurrence.source,
          count: 1,
          first_seen: now,
          last_seen: now,
          first_release: occurrence.release,
          last_release: occurrence.release,
          route: occurrence.where,
          sample_request_id: occurrence.requestId ?? null,
          sample_stack: occurrence.stack ?? null,
        })
        .onConflict((conflict) =>
          conflict.column('fingerprint').doUpdateSet((eb) => ({
            type: eb.ref('excluded.type'),
            message: eb.ref('excluded.message'),
            source: eb.ref('excluded.source'),
            count: sql<string>`error_groups.count + 1`,
            last_seen: sql<Date>`greatest(error_groups.last_seen, excluded.last_seen)`,
            last_release: eb.ref('excluded.last_release'),
            route: sql<string>`coalesce(excluded.route, error_groups.route)`,
            sample_request_id: sql<string>`coalesce(excluded.sample_request_id, error_groups.sample_request_id)`,
            sample_stack: sql<string>`coalesce(excluded.sample_stack, error_groups.sample_stack)`,
          })),
        )
        .returning('id'),
    )
    .insertInto('error_hourly')
    .columns(['group_id', 'hour', 'count'])
    .expression((eb) =>
      eb
        .selectFrom('grp')
        .select(['grp.id', sql<Date>`${hour}::timestamptz`.as('hour'), sql<number>`1`.as('count')]),
    )
    .onConflict((conflict) =>
      conflict.columns(['group_id', 'hour']).doUpdateSet({ count: sql<number>`error_hourly.count + 1` }),
    )
    .execute()
}

export interface ErrorGroupView {
  id: string
  fingerprint: string
  type: string
  message: string
  source: ErrorSource
  count: number
  firstSeen: string
  lastSeen: string
  firstRelease: string | null
  lastRelease: string | null
  route: string | null
  sampleRequestId: string | null
}

type GroupRow = Omit<Tables['error_groups'], 'id' | 'count' | 'first_seen' | 'last_seen'> & {
  id: string
  count: string
  first_seen: Date
  last_seen: Date
}

function present(row: GroupRow): ErrorGroupView {
  return {
    id: String(row.id),
    fingerprint: row.fingerprint,
    type: row.type,
    message: row.message,
    source: row.source,
    count: Number(row.count),
    firstSeen: new Date(row.first_seen).toISOString(),
    lastSeen: new Date(row.last_seen).toISOString(),
    firstRelease: row.first_release,
    lastRelease: row.last_release,
    route: row.route,
    sampleRequestId: row.sample_request_id,
  }
}

export interface ErrorGroupQuery {
  /** Groups seen at or after this time. */
  since?: Date
  source?: ErrorSource
  cursor?: string
  limit?: number
}

/** Error groups, the most recently seen first, keyset-paged on (last_seen, id). */
export async function listErrorGroups(
  ctx: AppContext,
  query: ErrorGroupQuery = {},
): Promise<{ items: ErrorGroupView[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50
  let select = ctx.db
    .selectFrom('error_groups')
    .select([
      'id',
      'fingerprint',
      'type',
      'message',
      'source',
      'count',
      'first_seen',
      'last_seen',
      'first_release',
      'last_release',
      'route',
      'sample_request_id',
    ])
  if (query.since) select = select.where('last_seen', '>=', query.since)
  if (query.source) select = select.where('source', '=', query.source)
  if (query.cursor) {
    const [at = '', id = ''] = decodeCursor(query.cursor, 2)
    if (!BIGINT_ID.test(id)) throw badRequest('cursor is not one this API gave out')
    select = select.where((eb) => eb(eb.refTuple('last_seen', 'id'), '<', eb.tuple(cursorTime(at), id)))
  }
  const rows = await select
    .orderBy('last_seen', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute()
  return pageOf(rows as GroupRow[], limit, present, (last) =>
    encodeCursor([new Date(last.last_seen).toISOString(), String(last.id)]),
  )
}

export interface ErrorGroupDetail extends ErrorGroupView {
  sampleStack: string | null
  /** Occurrences per hour over the last 7 days (hours without any left out). */
  hourly: { hour: string; count: number }[]
}

export async function getErrorGroup(ctx: AppContext, id: string): Promise<ErrorGroupDetail> {
  const row = await ctx.db.selectFrom('error_groups').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw notFound(`No error group ${id}`)
  const hours = await ctx.db
    .selectFrom('error_hourly')
    .select(['hour', 'count'])
    .where('group_id', '=', id)
    .where('hour', '>=', new Date(ctx.clock.ms() - 7 * 24 * HOUR))
    .orderBy('hour')
    .execute()
  return {
    ...present(row as GroupRow),
    sampleStack: row.sample_stack,
    hourly: hours.map((h) => ({ hour: new Date(h.hour).toISOString(), count: h.count })),
  }
}

/** Deletes groups not seen for `days` (their hours go with them) and older hours of the rest. */
export async function pruneErrorGroups(
  ctx: AppContext,
  days: number,
): Promise<{ groups: number; hours: number }> {
  const before = new Date(ctx.clock.ms() - days * 24 * HOUR)
  const groups = await ctx.db.deleteFrom('error_groups').where('last_seen', '<', before).executeTakeFirst()
  const hours = await ctx.db.deleteFrom('error_hourly').where('hour', '<', before).executeTakeFirst()
  return { groups: Number(groups.numDeletedRows), hours: Number(hours.numDeletedRows) }
}
