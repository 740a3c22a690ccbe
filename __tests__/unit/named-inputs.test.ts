import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import {
  CATALOG_INPUTS,
  FILE_ERRORS,
  PREFLIGHT_ERRORS,
  SIGN_IN_ERRORS,
  STS_ERRORS,
  UNKNOWN_STS_ERROR
} from '../../src/errors/error-catalog.js'
import {
  actionName,
  named,
  namedFirst,
  namedIn,
  namedInput,
  render,
  said,
  type NameInput
} from '../../src/errors/named-inputs.js'
import { preflightError } from '../../src/errors/preflight-error.js'
import { InputError } from '../../src/errors/run-errors.js'

const option: NameInput = name => `--${name.input}`

describe('messages that name their inputs', () => {
  it('reads in the action words by default and in the host words on request', () => {
    const error = new InputError(
      said`${namedFirst('role-duration-seconds')} is 100; see ${named('role-arn')} and ${namedInput('http-proxy')}.`
    )
    expect(error.message).toBe(
      "Input 'role-duration-seconds' is 100; see 'role-arn' and input 'http-proxy'."
    )
    expect(error.wordedFor(option)).toBe(
      '--role-duration-seconds is 100; see --role-arn and --http-proxy.'
    )
    expect(error.wordedFor(actionName)).toBe(error.message)
  })

  it('keeps interpolated values as text, even when they look like an input name', () => {
    const value = "'role-arn'"
    const message = said`got ${value} for ${named('profile')}`
    expect(render(message, option)).toBe("got 'role-arn' for --profile")
  })

  it('takes apart only the inputs it is told about, every time they occur', () => {
    const text = "Set 'role-arn' or 'principal-arn'; 'role-arn' again, 'true' stays."
    expect(render(namedIn(text, ['role-arn']), option)).toBe(
      "Set --role-arn or 'principal-arn'; --role-arn again, 'true' stays."
    )
    expect(render(namedIn(text, ['role-arn']), actionName)).toBe(text)
  })

  it('a plain message stays as it is for every host', () => {
    expect(new InputError('No input named here.').wordedFor(option)).toBe('No input named here.')
  })

  it('catalog messages name their inputs for the CLI', () => {
    const error = preflightError('role-ambiguous', 'choose one')
    expect(error.message).toContain("Set 'role-arn' to one of the roles listed.")
    expect(error.wordedFor(option)).toContain('Set --role-arn to one of the roles listed.')
  })
})

describe('CATALOG_INPUTS', () => {
  it('lists every action input that a catalog text names', () => {
    const action = parse(
      readFileSync(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')
    ) as {
      inputs: Record<string, unknown>
    }
    const entries = [
      ...Object.values(PREFLIGHT_ERRORS),
      ...Object.values(SIGN_IN_ERRORS),
      ...Object.values(FILE_ERRORS),
      ...STS_ERRORS,
      UNKNOWN_STS_ERROR
    ]
    const text = entries.map(e => `${e.problem} ${e.cause} ${e.fix}`).join('\n')
    const quoted = Object.keys(action.inputs).filter(name => text.includes(`'${name}'`))
    expect(quoted.length).toBeGreaterThan(5)
    for (const name of quoted) expect(CATALOG_INPUTS, name).toContain(name)
  })
})
