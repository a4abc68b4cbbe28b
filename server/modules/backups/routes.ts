import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { NoBody } from '../../platform/http/schema.ts'
import { listDrills, runDrill } from './drills.ts'
import {
  BackupDetail,
  BackupList,
  Drill,
  DrillList,
  DrillQuery,
  IdParams,
  ListQuery,
  VerifyReport,
} from './schemas.ts'
import { createBackup, getBackup, listBackups, verifyBackup } from './service.ts'

/** Backups: admins only (a backup holds every record, password hashes included). Restore is CLI-only. */
export function backupsRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/backups',
    {
      config: { access: 'admin' },
      schema: { summary: 'Backups, newest first', querystring: ListQuery, response: { 200: BackupList } },
    },
    async (request) => ({ items: await listBackups(ctx, request.query.limit) }),
  )

  app.post(
    '/api/backups',
    {
      config: { access: 'admin' },
      schema: {
        body: NoBody,
        summary: 'Take a backup now, to every backup store (409 while another one runs)',
        response: { 201: BackupDetail },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createBackup(ctx, actorOf(request.principal), requestFacts(request))),
  )

  // Static paths: they win over /api/backups/:id (whose id pattern would refuse them anyway).
  app.get(
    '/api/backups/drills',
    {
      config: { access: 'admin' },
      schema: {
        summary:
          'Recovery drills, newest first, with the RTO/RPO objectives and the newest verified backup age',
        querystring: DrillQuery,
        response: { 200: DrillList },
      },
    },
    (request) => listDrills(ctx, request.query.limit),
  )

  app.post(
    '/api/backups/drills',
    {
      config: { access: 'admin' },
      schema: {
        body: NoBody,
        summary:
          'Run a recovery drill now: restore the newest backup into a scratch database, check it, drop it (201, failed drills too; 409 NO_BACKUP or while one runs)',
        response: { 201: Drill },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await runDrill(ctx, actorOf(request.principal), requestFacts(request))),
  )

  app.get(
    '/api/backups/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'One backup with its manifest and last verification',
        params: IdParams,
        response: { 200: BackupDetail },
      },
    },
    (request) => getBackup(ctx, request.params.id),
  )

  app.post(
    '/api/backups/:id/verify',
    {
      config: { access: 'admin' },
      schema: {
        body: NoBody,
        summary: 'Check a backup: checksum, size, archive readable, contents against the manifest',
        params: IdParams,
        response: { 200: VerifyReport },
      },
    },
    (request) => verifyBackup(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )
}
