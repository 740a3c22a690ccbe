import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readFileSync } from 'node:fs'
import { renderReadme, replaceSection } from '../../script/docs.js'

const ROOT = join(import.meta.dirname, '..', '..')

describe('README generated sections', () => {
  it('match action.yml and the error catalog (run `npm run docs` when this fails)', () => {
    const { current, wanted } = renderReadme(ROOT)
    expect(current).toBe(wanted)
  })

  it('document every input and output that action.yml declares, each with a description', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { description?: string }>
      outputs: Record<string, { description?: string }>
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    for (const [name, spec] of [
      ...Object.entries(action.inputs),
      ...Object.entries(action.outputs)
    ]) {
      expect(spec.description?.length ?? 0, name).toBeGreaterThan(10)
      expect(readme).toContain(`| \`${name}\` |`)
    }
  })

  it('refuses a README without markers', () => {
    expect(() => replaceSection('no markers', 'inputs', 'x')).toThrow(/lacks the inputs markers/)
  })
})
