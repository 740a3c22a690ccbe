/** The assertion's SessionDuration and SourceIdentity attributes, through run() in process. */
import { describe, expect, it } from 'vitest'
import { useInProcessRunner } from '../support/in-process.js'

const { runWith } = useInProcessRunner()

describe("the IdP's session attributes", () => {
  it('warns when role-duration-seconds asks for more than SessionDuration, and still runs', async () => {
    const result = await runWith({ 'role-duration-seconds': '3600' }, { sessionDuration: 900 })
    expect(result.error).toBeUndefined()
    expect(result.warnings).toContain(
      "'role-duration-seconds' asks for 3600 s, but the IdP's SessionDuration attribute allows 900 s. " +
        "Lower 'role-duration-seconds' to 900 or less to keep to the IdP's session policy."
    )
  })

  it('says nothing when the request fits', async () => {
    const result = await runWith({ 'role-duration-seconds': '900' }, { sessionDuration: 900 })
    expect(result.error).toBeUndefined()
    expect(result.warnings.join('\n')).not.toContain('SessionDuration')
  })

  it('outputs source-identity from the assertion', async () => {
    const result = await runWith({}, { sourceIdentity: 'alice' })
    expect(result.error).toBeUndefined()
    expect(result.outputs['source-identity']).toBe('alice')
  })
})
