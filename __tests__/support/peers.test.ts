import { afterEach, describe, expect, it, vi } from 'vitest'
import { requirePeer } from './peers.js'

describe('requirePeer', () => {
  const ci = process.env.CI
  afterEach(() => {
    if (ci === undefined) delete process.env.CI
    else process.env.CI = ci
    vi.restoreAllMocks()
  })

  it('passes a found peer through, silently, with or without CI', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    process.env.CI = 'true'
    expect(requirePeer('tinyproxy', true, 'the proxy tests')).toBe(true)
    delete process.env.CI
    expect(requirePeer('tinyproxy', true, 'the proxy tests')).toBe(true)
    expect(warn).not.toHaveBeenCalled()
  })

  it('fails under CI=true, naming the peer, the tests and how to install it', () => {
    process.env.CI = 'true'
    expect(() => requirePeer('tinyproxy', false, 'the proxy tests')).toThrow(
      'tinyproxy is missing, and CI=true does not skip the proxy tests: apt-get install tinyproxy.'
    )
  })

  it('elsewhere skips, saying so', () => {
    delete process.env.CI
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    expect(requirePeer('moto_server', false, 'the tests against moto')).toBe(false)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toMatch(
      /^moto_server not found: the tests against moto SKIPPED \(not passed\)\. To run them: pip install/
    )
  })
})
