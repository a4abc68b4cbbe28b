import { Type } from 'typebox'
import { BigintId, Nullable } from '../../platform/http/schema.ts'

/** Schemas of the incident communications, post-mortem and security checklist routes. */

const Id = BigintId()
const Time = Type.String({ format: 'date-time' })
const Template = Type.Union([Type.Literal('initial'), Type.Literal('update'), Type.Literal('resolution')], {
  description: "the runbook's Initial Alert, Status Update or Resolution",
})
const ChannelName = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' })
const SectionText = Type.String({ maxLength: 20_000 })
const ActionState = Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('dropped')])
const DueDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'YYYY-MM-DD' })
const Section = Type.Union([
  Type.Literal('summary'),
  Type.Literal('impact'),
  Type.Literal('timeline'),
  Type.Literal('rootCause'),
  Type.Literal('wentWell'),
  Type.Literal('wentBadly'),
  Type.Literal('actions'),
])

export const IncidentParams = Type.Object({ id: Id })
export const TemplateParams = Type.Object({ id: Id, template: Template })
export const ActionParams = Type.Object({ id: Id, actionId: Id })
export const StepParams = Type.Object({ id: Id, key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,63}$' }) })

export const MessagePreview = Type.Object({
  template: Template,
  title: Type.String(),
  text: Type.String(),
  channels: Type.Array(Type.String()),
  placeholders: Type.Array(Type.String(), { description: 'placeholders left for the sender to replace' }),
})

export const MessageBody = Type.Object(
  {
    template: Template,
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 250, pattern: '\\S' })),
    text: Type.String({ minLength: 1, maxLength: 20_000, pattern: '\\S' }),
    channels: Type.Optional(
      Type.Array(ChannelName, {
        minItems: 1,
        maxItems: 10,
        description: "instead of the incident's channels",
      }),
    ),
  },
  { additionalProperties: false },
)

export const MessageSent = Type.Object({
  queued: Type.Integer(),
  channels: Type.Array(Type.String()),
  unreached: Type.Array(Type.Object({ channel: Type.String(), reason: Type.String() })),
})

const Action = Type.Object({
  id: Type.String(),
  title: Type.String(),
  owner: Type.String(),
  dueDate: Type.String(),
  state: ActionState,
  overdue: Type.Boolean(),
  createdAt: Time,
  updatedAt: Time,
  doneAt: Nullable(Time),
})

export const Postmortem = Type.Object({
  incidentId: Type.String(),
  status: Type.Union([Type.Literal('draft'), Type.Literal('published')]),
  required: Type.Boolean({ description: 'the severity requires a post-mortem (P0, P1)' }),
  sections: Type.Object({
    summary: Type.String(),
    impact: Type.String(),
    timeline: Type.String(),
    rootCause: Type.String(),
    wentWell: Type.String(),
    wentBadly: Type.String(),
  }),
  actions: Type.Array(Action),
  warnings: Type.Array(Type.Object({ section: Section, phrase: Type.String(), message: Type.String() }), {
    description: 'wording that blames people (advice, not errors)',
  }),
  prompts: Type.Record(Type.String(), Type.String(), { description: 'guidance per section' }),
  missingToPublish: Type.Array(Type.String()),
  createdAt: Time,
  updatedAt: Time,
  updatedBy: Nullable(Type.String()),
  publishedAt: Nullable(Time),
})

export const PostmortemBody = Type.Object(
  {
    summary: Type.Optional(SectionText),
    impact: Type.Optional(SectionText),
    timeline: Type.Optional(SectionText),
    rootCause: Type.Optional(SectionText),
    wentWell: Type.Optional(SectionText),
    wentBadly: Type.Optional(SectionText),
    status: Type.Optional(
      Type.Union([Type.Literal('draft'), Type.Literal('published')], {
        description: 'published needs the incident resolved, a summary, a root cause and an action item',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)

const ActionTitle = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' })
const Owner = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '\\S',
  description: 'who sees it through',
})

export const ActionBody = Type.Object(
  { title: ActionTitle, owner: Owner, dueDate: DueDate, state: Type.Optional(ActionState) },
  { additionalProperties: false },
)

export const ActionPatch = Type.Object(
  {
    title: Type.Optional(ActionTitle),
    owner: Type.Optional(Owner),
    dueDate: Type.Optional(DueDate),
    state: Type.Optional(ActionState),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const ActionItem = Action

export const Deleted = Type.Object({ deleted: Type.Boolean() })

export const StepBody = Type.Object(
  {
    done: Type.Boolean(),
    note: Type.Optional(Type.String({ maxLength: 2000, description: 'replaces the note; empty clears it' })),
  },
  { additionalProperties: false },
)

export const Step = Type.Object({
  key: Type.String(),
  phase: Type.String(),
  title: Type.String(),
  dueAt: Time,
  doneAt: Nullable(Time),
  doneBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
  overdue: Type.Boolean(),
})
