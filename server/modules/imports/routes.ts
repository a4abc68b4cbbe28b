import type { Readable } from 'node:stream'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../../context.ts'
import { AppError } from '../../platform/http/errors.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import { getRun, listRuns } from './history.ts'
import { IMPORTERS } from './importers/index.ts'
import { runImport } from './runner.ts'
import { ImportQuery, ImportReportSchema, ImportRun, ImportRunList, RunParams, RunQuery } from './schemas.ts'

const CSV_TYPES = ['text/csv', 'application/csv']

/**
 * `POST /api/imports/<type>`: a CSV file as the body (`Content-Type: text/csv`), streamed
 * through the importer batch by batch, never buffered; each type needs the role of the API
 * writes it stands for. The import history is read with `GET /api/imports`.
 */
export async function importRoutes(fastify: FastifyInstance, ctx: AppContext): Promise<void> {
  await fastify.register(async (scope) => {
    // Only CSV here (anything else is 415), passed on as the request stream itself.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser(CSV_TYPES, (_request, payload, done) => done(null, payload))
    const app = scope.withTypeProvider<TypeBoxTypeProvider>()
    const limit = ctx.config.imports.bodyLimit

    for (const importer of Object.values(IMPORTERS)) {
      app.post(
        `/api/imports/${importer.type}`,
        {
          config: { access: importer.access },
          schema: {
            summary: `Import ${importer.type} from a CSV body (text/csv); dryRun=true checks and reports, writing nothing`,
            querystring: ImportQuery,
            response: { 200: ImportReportSchema },
          },
          // A declared length over the limit is refused before anything is read.
          preValidation(request, _reply, done) {
            const length = Number(request.headers['content-length'])
            if (length > limit)
              return done(
                new AppError(413, 'CSV_TOO_LARGE', `The file is larger than the ${limit}-byte limit`),
              )
            done()
          },
        },
        async (request) => {
          const body = request.body as Readable | undefined
          if (!body) {
            const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
            if (!type || !CSV_TYPES.includes(type))
              throw new AppError(
                415,
                'UNSUPPORTED_MEDIA_TYPE',
                'Send the file as the body with Content-Type: text/csv',
              )
            throw new AppError(400, 'CSV_EMPTY', 'The file is empty: it needs a header row')
          }
          const { dryRun, batchSize, file } = request.query
          const result = await runImport(ctx, importer, {
            source: body,
            dryRun,
            batchSize,
            file: file ?? null,
            actor: actorOf(request.principal),
            request: requestFacts(request),
            byteLimit: limit,
          })
          if (result.fileError) {
            const { fileError, ...report } = result
            throw new AppError(fileError.status, fileError.code, fileError.message, { report })
          }
          return result
        },
      )
    }
  })

  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  app.get(
    '/api/imports',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Past imports (not dry runs), newest first, cursor-paged',
        querystring: RunQuery,
        response: { 200: ImportRunList },
      },
    },
    (request) => listRuns(ctx, request.query),
  )
  app.get(
    '/api/imports/:id',
    {
      config: { access: 'operator' },
      schema: { summary: 'One import with its report', params: RunParams, response: { 200: ImportRun } },
    },
    (request) => getRun(ctx, request.params.id),
  )
}
