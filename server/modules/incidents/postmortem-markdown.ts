import { SECTION_TITLES, SECTIONS } from './blameless.ts'
import { SEVERITY_DEFINITIONS } from './defaults.ts'
import type { PostmortemView } from './postmortem.ts'
import type { IncidentView } from './service.ts'

/** A post-mortem as one Markdown document: the incident's facts, the sections, the actions, the record. */

/** A table cell: one line, pipes escaped. */
const cell = (text: string) => text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|') || ' '
const when = (iso: string | null) => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—')
const minutes = (n: number) => `${n} minute${n === 1 ? '' : 's'}`

export function postmortemMarkdown(
  incident: IncidentView,
  postmortem: PostmortemView,
  timeline: { at: string; line: string }[] = [],
): string {
  const lead = incident.lead ? `${incident.lead.name} (${incident.lead.email})` : 'unassigned'
  const facts: [string, string][] = [
    ['Severity', `${incident.severity} (${SEVERITY_DEFINITIONS[incident.severity].name})`],
    ['Kind', incident.kind],
    ['Status', incident.status],
    ['Duration', minutes(incident.durationMinutes)],
    ['Lead', lead],
    ['Detected', when(incident.detectedAt)],
    ['Resolved', when(incident.resolvedAt)],
    ['Components', incident.components.join(', ') || '—'],
    [
      'Post-mortem',
      postmortem.status === 'published' ? `published ${when(postmortem.publishedAt)}` : 'draft',
    ],
  ]
  const out: string[] = [
    `# Post-mortem: incident #${incident.id} — ${incident.title.replace(/\s+/g, ' ').trim()}`,
    '',
    '| | |',
    '| --- | --- |',
    ...facts.map(([label, value]) => `| ${label} | ${cell(value)} |`),
    '',
  ]
  for (const section of SECTIONS) {
    const text = postmortem.sections[section].trim()
    out.push(`## ${SECTION_TITLES[section]}`, '', text === '' ? '_Not written yet._' : text, '')
  }
  out.push(`## ${SECTION_TITLES.actions}`, '')
  if (postmortem.actions.length === 0) out.push('_None yet._', '')
  else
    out.push(
      '| Action | Owner | Due | State |',
      '| --- | --- | --- | --- |',
      ...postmortem.actions.map(
        (a) =>
          `| ${cell(a.title)} | ${cell(a.owner)} | ${a.dueDate} | ${a.state}${a.overdue ? ' (overdue)' : ''} |`,
      ),
      '',
    )
  if (timeline.length > 0)
    out.push(
      '## Incident timeline (as recorded)',
      '',
      ...timeline.map((entry) => `- ${when(entry.at)} ${entry.line.replace(/\s+/g, ' ').trim()}`),
      '',
    )
  return out.join('\n')
}
