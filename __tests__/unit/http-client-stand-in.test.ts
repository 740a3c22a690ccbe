/**
 * The bundle replaces @actions/http-client with stubs/actions-http-client (script/package.mjs),
 * because @actions/core needs it only for getIDToken (OIDC), which this action never calls. These
 * checks fail when that stops being true: when @actions/core imports more of it, from more places,
 * or when the action starts to call getIDToken. Development and tests use the real package.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const CORE_LIB = join(ROOT, 'node_modules', '@actions', 'core', 'lib')
const STUB = join(ROOT, 'stubs', 'actions-http-client')

/** Every `import { names } from '@actions/http-client…'` in @actions/core, by file. */
function httpClientImports(): Record<string, string[]> {
  const found: Record<string, string[]> = {}
  for (const file of readdirSync(CORE_LIB).filter(name => name.endsWith('.js'))) {
    const text = readFileSync(join(CORE_LIB, file), 'utf8')
    // Any mention at all counts (require, dynamic import): only the two named imports are allowed.
    const mentions = text.match(/@actions\/http-client[^'"]*/g) ?? []
    const named = [
      ...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'(@actions\/http-client[^']*)'/g)
    ].map(([, names, from]) => `${from}: ${names!.trim()}`)
    if (mentions.length > 0) found[file] = mentions.length === named.length ? named : mentions
  }
  return found
}

describe('the @actions/http-client stand-in of the bundle', () => {
  it('covers everything @actions/core imports from it, in the one file that does', () => {
    expect(httpClientImports()).toEqual({
      'oidc-utils.js': [
        '@actions/http-client: HttpClient',
        '@actions/http-client/lib/auth: BearerCredentialHandler'
      ]
    })
  })

  it('exports those names at those paths', async () => {
    const manifest = JSON.parse(readFileSync(join(STUB, 'package.json'), 'utf8')) as {
      name: string
      exports: Record<string, string>
    }
    expect(manifest.name).toBe('@actions/http-client')
    const index = (await import(join(STUB, manifest.exports['.']!))) as Record<string, unknown>
    const auth = (await import(join(STUB, manifest.exports['./lib/auth']!))) as Record<
      string,
      unknown
    >
    expect(typeof index.HttpClient).toBe('function')
    expect(typeof auth.BearerCredentialHandler).toBe('function')
  })

  it('is reached only through getIDToken, which the action never calls', () => {
    const core = readFileSync(join(CORE_LIB, 'core.js'), 'utf8')
    const uses = core.split('\n').filter(line => line.includes('OidcClient'))
    expect(uses).toEqual([
      "import { OidcClient } from './oidc-utils.js';",
      '        return yield OidcClient.getIDToken(aud);'
    ])
    const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter(name => name.endsWith('.ts'))
      .filter(name => readFileSync(join(ROOT, 'src', name), 'utf8').includes('getIDToken'))
    expect(sources).toEqual([])
  })

  it('is not what development installs: no override and no file: dependency', () => {
    const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8')
    expect(manifest).not.toContain('stubs/actions-http-client')
    expect(JSON.parse(manifest)).not.toHaveProperty('overrides.@actions/http-client')
  })
})
