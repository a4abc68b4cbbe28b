import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import type { AppContext } from '../../context.ts'
import { actorOf, requestFacts } from '../../platform/http/principal.ts'
import type { RuleInput } from './rules.ts'
import { createRule, deleteRule, getRule, listRules, updateRule } from './rules.ts'
import { runEvaluation } from './runner.ts'
import {
  AckBody,
  AlertDetail,
  AlertsPage,
  AlertsQuery,
  EvaluationReport,
  IdParams,
  Policy,
  PolicyBody,
  Rule,
  RuleBody,
  RulePatch,
  RuleSilenceBody,
  SeverityParams,
  Silence,
  SilenceBody,
  SilencesQuery,
} from './schemas.ts'
import { acknowledgeAlert, getAlert, listAlerts, listPolicies, setPolicy } from './service.ts'
import { cancelSilence, createSilence, listSilences } from './silences.ts'

export function alertingRoutes(fastify: FastifyInstance, ctx: AppContext): void {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get(
    '/api/alerts',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Alerts, newest first (state=active for pending and firing)',
        querystring: AlertsQuery,
        response: { 200: AlertsPage },
      },
    },
    (request) => listAlerts(ctx, request.query),
  )

  app.get(
    '/api/alerts/:id',
    {
      config: { access: 'viewer' },
      schema: { summary: 'One alert with its timeline', params: IdParams, response: { 200: AlertDetail } },
    },
    (request) => getAlert(ctx, request.params.id),
  )

  app.post(
    '/api/alerts/:id/ack',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Acknowledge a firing alert (stops further escalation steps)',
        params: IdParams,
        body: AckBody,
        response: { 200: AlertDetail },
      },
    },
    (request) =>
      acknowledgeAlert(
        ctx,
        request.params.id,
        request.body.note,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )

  app.post(
    '/api/alerts/:id/silence',
    {
      config: { access: 'operator' },
      schema: {
        summary:
          'Silence one alert for some minutes or until it resolves (notifications only; state stays visible)',
        params: IdParams,
        body: SilenceBody,
        response: { 201: Silence },
      },
    },
    async (request, reply) => {
      const silence = await createSilence(
        ctx,
        { alertId: request.params.id, ...request.body },
        actorOf(request.principal),
        requestFacts(request),
      )
      return reply.status(201).send(silence)
    },
  )

  app.post(
    '/api/alerts/evaluate',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Evaluate every rule now (unless another replica is evaluating)',
        response: { 200: EvaluationReport },
      },
    },
    () => runEvaluation(ctx),
  )

  app.get(
    '/api/silences',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Silences in force (all=true: the last 200)',
        querystring: SilencesQuery,
        response: { 200: Type.Object({ items: Type.Array(Silence) }) },
      },
    },
    async (request) => ({ items: await listSilences(ctx, request.query) }),
  )

  app.post(
    '/api/silences',
    {
      config: { access: 'operator' },
      schema: {
        summary: 'Silence a rule’s alerts (optionally those with matching labels) for some minutes',
        body: RuleSilenceBody,
        response: { 201: Silence },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await createSilence(ctx, request.body, actorOf(request.principal), requestFacts(request))),
  )

  app.delete(
    '/api/silences/:id',
    {
      config: { access: 'operator' },
      schema: { summary: 'End a silence now', params: IdParams, response: { 200: Silence } },
    },
    (request) => cancelSilence(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )

  app.get(
    '/api/alert-rules',
    {
      config: { access: 'viewer' },
      schema: { summary: 'Alert rules', response: { 200: Type.Object({ items: Type.Array(Rule) }) } },
    },
    async () => ({ items: await listRules(ctx) }),
  )

  app.get(
    '/api/alert-rules/:id',
    {
      config: { access: 'viewer' },
      schema: { summary: 'One alert rule', params: IdParams, response: { 200: Rule } },
    },
    (request) => getRule(ctx, request.params.id),
  )

  app.post(
    '/api/alert-rules',
    {
      config: { access: 'admin' },
      schema: { summary: 'Add an alert rule', body: RuleBody, response: { 201: Rule } },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(
          await createRule(ctx, request.body as RuleInput, actorOf(request.principal), requestFacts(request)),
        ),
  )

  app.patch(
    '/api/alert-rules/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Change an alert rule (built-in rules keep metric and kind)',
        params: IdParams,
        body: RulePatch,
        response: { 200: Rule },
      },
    },
    (request) =>
      updateRule(
        ctx,
        request.params.id,
        request.body as Partial<RuleInput>,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )

  app.delete(
    '/api/alert-rules/:id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Delete an alert rule with its alerts (built-in rules can only be disabled)',
        params: IdParams,
        response: { 200: Rule },
      },
    },
    (request) => deleteRule(ctx, request.params.id, actorOf(request.principal), requestFacts(request)),
  )

  app.get(
    '/api/escalation-policies',
    {
      config: { access: 'viewer' },
      schema: {
        summary: 'Escalation steps per severity',
        response: { 200: Type.Object({ items: Type.Array(Policy) }) },
      },
    },
    async () => ({ items: await listPolicies(ctx) }),
  )

  app.put(
    '/api/escalation-policies/:severity',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Replace the escalation steps of a severity',
        params: SeverityParams,
        body: PolicyBody,
        response: { 200: Policy },
      },
    },
    (request) =>
      setPolicy(
        ctx,
        request.params.severity,
        request.body.steps,
        actorOf(request.principal),
        requestFacts(request),
      ),
  )
}
