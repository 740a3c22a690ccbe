import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  CAC_INPUT_PARITY,
  CAC_INPUTS,
  CAC_OUTPUT_PARITY,
  CAC_OUTPUTS,
  cacParityTable,
  type Parity
} from '../../script/cac-parity.js'

const ROOT = join(import.meta.dirname, '..', '..')
const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, unknown>
  outputs: Record<string, unknown>
}

describe('configure-aws-credentials parity table', () => {
  const all: [string, Parity, Record<string, unknown>][] = [
    ...CAC_INPUTS.map(
      n => [n, CAC_INPUT_PARITY[n], action.inputs] as [string, Parity, Record<string, unknown>]
    ),
    ...CAC_OUTPUTS.map(
      n => [n, CAC_OUTPUT_PARITY[n], action.outputs] as [string, Parity, Record<string, unknown>]
    )
  ]

  it('has one entry per CAC name, and no entry for a name CAC lacks', () => {
    expect(new Set(CAC_INPUTS).size).toBe(CAC_INPUTS.length)
    expect(Object.keys(CAC_INPUT_PARITY).sort()).toEqual([...CAC_INPUTS].sort())
    expect(Object.keys(CAC_OUTPUT_PARITY).sort()).toEqual([...CAC_OUTPUTS].sort())
  })

  it.each(all)(
    'maps %s to something this action.yml has, or says why not',
    (name, parity, ours) => {
      if (parity.kind === 'same') expect(Object.keys(ours)).toContain(name)
      else if (parity.kind === 'other name') expect(Object.keys(ours)).toContain(parity.here)
      else expect(parity.why.length).toBeGreaterThan(20)
    }
  )

  it('calls a name "other name" only when this action.yml lacks the CAC name itself', () => {
    for (const [name, parity, ours] of all) {
      if (parity.kind === 'other name') expect(Object.keys(ours), name).not.toContain(name)
      if (parity.kind !== 'same' && parity.kind !== 'other name') {
        expect(Object.keys(ours), name).not.toContain(name)
      }
    }
  })

  it('refuses to render a row that promises an input action.yml lacks', () => {
    const without = { ...action, inputs: { ...action.inputs } }
    delete without.inputs['no-proxy']
    expect(() => cacParityTable(without)).toThrow(
      "CAC parity: input 'no-proxy' maps to 'no-proxy', which action.yml lacks"
    )
  })

  it('is in the README as generated (npm run docs)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    expect(readme).toContain(cacParityTable(action))
  })
})
