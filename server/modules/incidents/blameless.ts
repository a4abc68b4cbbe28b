/**
 * Blameless post-mortems: the guidance shown with each section, and a check that points at
 * wording that blames people. Its findings are warnings for the writer, never a refusal: the
 * check reads words, not intent, and the writer decides.
 */

export const SECTIONS = ['summary', 'impact', 'timeline', 'rootCause', 'wentWell', 'wentBadly'] as const
export type Section = (typeof SECTIONS)[number]

export const SECTION_TITLES: Record<Section | 'actions', string> = {
  summary: 'Summary',
  impact: 'Impact',
  timeline: 'Timeline',
  rootCause: 'Root cause',
  wentWell: 'What went well',
  wentBadly: 'What went badly',
  actions: 'Action items',
}

export const PROMPTS: Record<Section | 'actions', string> = {
  summary:
    'What happened, in two or three sentences: what users saw, for how long, and how it ended. Describe the system, not the people.',
  impact:
    'Who and what was affected, and how much: customers, orders, revenue, data, internal teams. Give figures where the incident has them.',
  timeline:
    'Prefilled from the incident’s timeline. Add what it cannot know: when the problem really began, what people saw, what they decided and why it made sense at the time.',
  rootCause:
    'Why it could happen: the conditions in the system and the process that allowed the failure. Keep asking "why" until you reach something you can change. People acting reasonably on what they knew are not a root cause.',
  wentWell: 'What helped: detection, tools, runbooks, decisions and teamwork worth keeping.',
  wentBadly:
    'What made it worse or slower: gaps in alerting, tooling, documentation, access or process. Name the gap, not the person who fell into it.',
  actions:
    'Concrete changes that make this less likely or less harmful, each with one owner, a due date (YYYY-MM-DD) and a state (open, done, dropped).',
}

export interface BlameWarning {
  /** The words found, as written. */
  phrase: string
  message: string
}

/** What people are blamed for: a person followed by one of these reads as "the person is the cause". */
const BLAME_VERBS = [
  'caused',
  'failed to',
  'should have',
  "should've",
  'forgot to',
  'neglected to',
  'messed up',
  'screwed up',
  'broke',
  "didn't bother",
]
const VERBS = `(?:had\\s+|has\\s+)?(?:${BLAME_VERBS.map((v) => v.replace(/ /g, '\\s+')).join('|')})\\b`

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

interface Rule {
  pattern: RegExp
  message: (phrase: string) => string
}

const JUDGEMENT = (phrase: string) =>
  `"${phrase}" judges a person: describe the conditions instead (time pressure, a missing check, unclear documentation).`

const FIXED_RULES: Rule[] = [
  {
    pattern: /\bhuman\s+errors?\b/gi,
    message: (phrase) =>
      `"${phrase}" ends the analysis where it should start: what let the mistake through, and what would have caught it?`,
  },
  {
    pattern: /\b(?:careless(?:ly|ness)?|negligen(?:t|tly|ce)|sloppy|lazy|incompeten(?:t|ce))\b/gi,
    message: JUDGEMENT,
  },
  {
    pattern:
      /\b(?:at\s+fault|(?:his|her|their|my|our|your|whose)\s+fault|fault\s+of|\w+['\u2019]s\s+fault|to\s+blame|blamed?|blaming)\b/gi,
    message: (phrase) =>
      `"${phrase}" assigns blame: a post-mortem is blameless; describe causes in the system and the process.`,
  },
  {
    // Somebody, not something: pronouns and roles that stand for a person.
    pattern: new RegExp(
      `\\b(?:he|she|someone|somebody|the\\s+(?:on-?call\\s+)?(?:engineer|developer|operator|admin|administrator))\\s+${VERBS}`,
      'gi',
    ),
    message: (phrase) =>
      `"${phrase}" makes a person the cause: say what in the system or process allowed it to happen.`,
  },
  {
    pattern: new RegExp(`@[\\w.-]+\\s+${VERBS}`, 'gi'),
    message: (phrase) =>
      `"${phrase}" makes a person the cause: say what in the system or process allowed it to happen.`,
  },
]

/** A rule per known person: their full name and first name followed by a blaming verb. */
function peopleRule(people: string[]): Rule | null {
  const names = new Set<string>()
  for (const person of people) {
    const name = person.trim().replace(/\s+/g, ' ')
    if (name.length < 2 || name.length > 100) continue
    names.add(name)
    const first = name.split(' ')[0]!
    if (first.length >= 2 && /^\p{Lu}/u.test(first)) names.add(first)
  }
  if (names.size === 0) return null
  const alternatives = [...names]
    .sort((a, b) => b.length - a.length)
    .map((name) => escapeRegExp(name).replace(/ /g, '\\s+'))
    .join('|')
  return {
    // Names as written (case-sensitive): "Will caused" is a person, "will cause" is not.
    pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})\\s+${VERBS}`, 'gu'),
    message: (phrase) =>
      `"${phrase}" names a person as the cause: describe what in the system or process allowed it, not who slipped.`,
  }
}

/**
 * Wording that blames people, in the order found: "human error", "careless", "fault", "blame",
 * and a person (a name from `people`, an @handle, he/she/someone, "the engineer") followed by
 * "caused", "failed to", "should have", "forgot to" and the like. Each phrase is reported once.
 */
export function blamelessWarnings(text: string, people: string[] = []): BlameWarning[] {
  const rules = [...FIXED_RULES]
  const named = peopleRule(people)
  if (named) rules.unshift(named)
  const found: { index: number; warning: BlameWarning }[] = []
  const seen = new Set<string>()
  for (const rule of rules) {
    for (const match of text.matchAll(rule.pattern)) {
      const phrase = match[0].replace(/\s+/g, ' ')
      const key = phrase.toLowerCase()
      if (seen.has(key)) continue
      seen.add(key)
      found.push({ index: match.index ?? 0, warning: { phrase, message: rule.message(phrase) } })
    }
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.warning)
}
