/**
 * The bundle replaces three packages with the throwing stand-ins in stubs/ (script/bundle-options.mjs),
 * because nothing the action calls reaches them. These checks fail when that stops being true:
 * when the importers import more of them, from more places, or when the action starts to call what
 * reaches them. Development and tests use the real packages.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { STAND_INS } from '../../script/bundle-options.mjs'

const ROOT = join(import.meta.dirname, '..', '..')
const CORE_LIB = join(ROOT, 'node_modules', '@actions', 'core', 'lib')
const STS_ES = join(ROOT, 'node_modules', '@aws-sdk', 'client-sts', 'dist-es')

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => f.endsWith('.js'))
}

/** Every `import { names } from '<pkg>…'` (or `* as x`) in a package's files, by file. */
function importsOf(dir: string, pkg: string): Record<string, string[]> {
  const escaped = pkg.replace(/[/.]/g, '\\$&')
  const found: Record<string, string[]> = {}
  for (const file of jsFiles(dir)) {
    const text = readFileSync(join(dir, file), 'utf8')
    // Any mention at all counts (require, dynamic import): only named static imports are allowed.
    const mentions = text.match(new RegExp(`${escaped}[^'"]*`, 'g')) ?? []
    const named = [
      ...text.matchAll(
        new RegExp(`import\\s*(\\{[^}]*\\}|\\* as \\w+)\\s*from\\s*["'](${escaped}[^'"]*)["']`, 'g')
      )
    ].map(([, names, from]) => `${from}: ${names!.replace(/\s+/g, ' ').trim()}`)
    if (mentions.length > 0) found[file] = mentions.length === named.length ? named : mentions
  }
  return found
}

/** What a stand-in exports, by subpath. */
async function standInExports(pkg: keyof typeof STAND_INS): Promise<Record<string, string[]>> {
  const dir = STAND_INS[pkg]
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string
    exports: Record<string, string>
  }
  expect(manifest.name).toBe(pkg)
  const result: Record<string, string[]> = {}
  for (const [subpath, file] of Object.entries(manifest.exports)) {
    result[subpath] = Object.keys((await import(join(dir, file))) as object).sort()
  }
  return result
}

/** The src/ files that mention a name. */
function sourcesMentioning(pattern: RegExp): string[] {
  return readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter(name => name.endsWith('.ts'))
    .filter(name => pattern.test(readFileSync(join(ROOT, 'src', name), 'utf8')))
}

describe('the bundle stand-ins', () => {
  it('@actions/http-client: only the OIDC helper imports it, and the action never calls getIDToken', async () => {
    expect(importsOf(CORE_LIB, '@actions/http-client')).toEqual({
      'oidc-utils.js': [
        '@actions/http-client: { HttpClient }',
        '@actions/http-client/lib/auth: { BearerCredentialHandler }'
      ]
    })
    expect(await standInExports('@actions/http-client')).toEqual({
      '.': ['HttpClient'],
      './lib/auth': ['BearerCredentialHandler']
    })
    const core = readFileSync(join(CORE_LIB, 'core.js'), 'utf8')
    expect(core.split('\n').filter(line => line.includes('OidcClient'))).toEqual([
      "import { OidcClient } from './oidc-utils.js';",
      '        return yield OidcClient.getIDToken(aud);'
    ])
    expect(sourcesMentioning(/getIDToken/)).toEqual([])
  })

  it('@actions/exec: only platform.js imports it, for getExecOutput, and the action never uses core.platform', async () => {
    expect(importsOf(CORE_LIB, '@actions/exec')).toEqual({
      'platform.js': ['@actions/exec: * as exec']
    })
    const platform = readFileSync(join(CORE_LIB, 'platform.js'), 'utf8')
    expect([...new Set(platform.match(/exec\.\w+/g))]).toEqual(['exec.getExecOutput'])
    expect(await standInExports('@actions/exec')).toEqual({ '.': ['getExecOutput'] })
    expect(
      sourcesMentioning(
        /core\.platform|\bplatform\.getDetails|import \{[^}]*\bplatform\b[^}]*\} from '@actions\/core'/
      )
    ).toEqual([])
  })

  it('@aws-sdk/credential-provider-node: only the STS runtime config imports it, and every client is given credentials', async () => {
    expect(importsOf(STS_ES, '@aws-sdk/credential-provider-node')).toEqual({
      'runtimeConfig.js': [
        '@aws-sdk/credential-provider-node: { defaultProvider as credentialDefaultProvider }'
      ]
    })
    expect(await standInExports('@aws-sdk/credential-provider-node')).toEqual({
      '.': ['defaultProvider']
    })
    // The default chain is used only by a client built without `credentials`.
    const clients = sourcesMentioning(/new STSClient\(/)
    expect(clients).toEqual(['sts/sts-client.ts'])
    const source = readFileSync(join(ROOT, 'src', 'sts', 'sts-client.ts'), 'utf8')
    const constructions = source.split('new STSClient(').slice(1)
    expect(constructions.length).toBeGreaterThan(0)
    for (const construction of constructions) {
      expect(construction.slice(0, construction.indexOf('\n    )'))).toMatch(/\bcredentials\??:/)
    }
  })

  it('are not what development installs: no override and no file: dependency', () => {
    const manifest = readFileSync(join(ROOT, 'package.json'), 'utf8')
    expect(manifest).not.toContain('stubs/')
    expect(JSON.parse(manifest)).not.toHaveProperty('overrides')
  })

  it('are what the committed bundle holds: none of the real packages is in dist/bundle', () => {
    const dir = join(ROOT, 'dist', 'bundle')
    const bundle = jsFiles(dir)
      .map(file => readFileSync(join(dir, file), 'utf8'))
      .join('\n')
    // Markers of the real packages: undici (http-client), child_process (exec), the SSO and
    // web-identity providers of the default chain. (Booleans: a failure must not print the bundle.)
    const found = (text: string): boolean => bundle.includes(text)
    expect(
      ['undici', 'child_process', 'fromSSO', 'fromTokenFile'].filter(found),
      'real packages in the bundle'
    ).toEqual([])
    // The STS runtime config keeps its reference to the default chain: the stand-in is what it gets.
    // (The other two stand-ins are tree-shaken away with the unused getIDToken and getDetails.)
    expect(found('the default chain is not bundled')).toBe(true)
  })
})
