import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { variables } from '../server/config.ts'

/** Docs stay true: the README documents every configuration variable and every command. */
const readme = readFileSync('README.md', 'utf8')

describe('README', () => {
  it('opens with the two setup commands and the test command', () => {
    const top = readme.split('\n').slice(0, 30).join('\n')
    expect(top).toContain('npm install')
    expect(top).toContain('npm start')
    expect(top).toContain('npm test')
  })

  it.each(Object.keys(variables))('documents %s', (name) => {
    expect(readme).toContain(`\`${name}\``)
  })

  it.each(['serve', 'status', 'db:migrate', 'db:rollback', 'db:status'])('documents sentia %s', (command) => {
    expect(readme).toContain(`sentia ${command}`)
  })
})
