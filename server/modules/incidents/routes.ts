import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { changeOf } from '../../platform/http/principal.ts'
import { SEVERITIES, SEVERITY_DEFINITIONS } from './defaults.ts'
import { attachAlert, listIncidentPolicies, setIncidentPolicy } from './policies.ts'
import {
  AttachBody,
  IdParams,
  Incident,
  IncidentBody,
  IncidentDetail,
  IncidentPatch,
  IncidentsPage,
  IncidentsQuery,
  NoteBody,
  Policy,
  PolicyBody,
  SeverityDefinitions,
  SeverityParams,
  Suggestion,
} from './schemas.ts'
import {
  acknowledgeIncident,
  addNote,
  createIncident,
  getIncident,
  listIncidents,
  updateIncident,
} from './service.ts'
import { currentSignals, suggestSeverity } from './severity.ts'

/** Everyone signed in reads incidents; operators acknowledge and add notes; managers run them. */
export function incidentRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/incidents',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Incidents, newest first',
        querystring: IncidentsQuery,
        response: { 200: IncidentsPage },
      },
    },
    (request) => listIncidents(ctx, request.query),
  )

  app.post(
    '/api/incidents',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Open an incident (the runbook\'s { "title", "severity", "status" } and optional fields)',
        body: IncidentBody,
        response: { 201: Incident },
      },
    },
    async (request, reply) => {
      const change = changeOf(request)
      const source = request.principal?.kind === 'apikey' ? 'api' : 'manual'
      const incident = await createIncident(ctx, request.body, { ...change, source })
      return reply.code(201).send(incident)
    },
  )

  app.get(
    '/api/incidents/severities',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The severity classification and response times',
        response: { 200: SeverityDefinitions },
      },
    },
    () => SEVERITIES.map((severity) => ({ severity, ...SEVERITY_DEFINITIONS[severity] })),
  )

  app.get(
    '/api/incidents/suggested-severity',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'The severity the current signals suggest, with the reason',
        response: { 200: Suggestion },
      },
    },
    async () => suggestSeverity(await currentSignals(ctx)),
  )

  app.get(
    '/api/incidents/policies',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Escalation policy per severity while unacknowledged',
        response: { 200: Type.Array(Policy) },
      },
    },
    () => listIncidentPolicies(ctx),
  )

  app.put(
    '/api/incidents/policies/:severity',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Replace a severity's escalation policy",
        params: SeverityParams,
        body: PolicyBody,
        response: { 200: Policy },
      },
    },
    (request) => setIncidentPolicy(ctx, request.params.severity, request.body.steps, changeOf(request)),
  )

  app.get(
    '/api/incidents/:id',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'One incident with its timeline, alerts and checklist',
        params: IdParams,
        response: { 200: IncidentDetail },
      },
    },
    (request) => getIncident(ctx, request.params.id),
  )

  app.patch(
    '/api/incidents/:id',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Change status, severity, lead, participants, components, channels, title or impact',
        params: IdParams,
        body: IncidentPatch,
        response: { 200: Incident },
      },
    },
    (request) => updateIncident(ctx, request.params.id, request.body, changeOf(request)),
  )

  app.post(
    '/api/incidents/:id/ack',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Acknowledge as lead: stops escalation; in time, the response SLA is met',
        params: IdParams,
        response: { 200: Incident },
      },
    },
    (request) => acknowledgeIncident(ctx, request.params.id, changeOf(request)),
  )

  app.post(
    '/api/incidents/:id/notes',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Add a note to the timeline',
        params: IdParams,
        body: NoteBody,
        response: { 200: IncidentDetail },
      },
    },
    (request) => addNote(ctx, request.params.id, request.body.text, changeOf(request)),
  )

  app.post(
    '/api/incidents/:id/alerts',
    {
      config: { access: 'manager' },
      schema: {
        summary: 'Attach an alert',
        params: IdParams,
        body: AttachBody,
        response: { 200: IncidentDetail },
      },
    },
    (request) => attachAlert(ctx, request.params.id, request.body.alertId, changeOf(request)),
  )
}
