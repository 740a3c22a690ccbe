/**
 * Twenty separate processes write twenty profiles into the same two files at once: with the lock
 * and the read-modify-write under it, no write is lost and no section is duplicated.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateIni } from '../../src/aws-files/ini.js'
import { readSections } from '../support/ini-sections.js'
import { compileWriter, secretFor, startWriter } from '../support/profile-writer.js'

const WRITERS = 20
const USER_SECTION = '# the user was here\n[user]\naws_access_key_id = AKIAUSER\n'

let dir: string
let credentials: string
let config: string
let writer: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parallel-writers-'))
  writer = await compileWriter(join(dir, 'bin'))
  mkdirSync(join(dir, '.aws'))
  credentials = join(dir, '.aws', 'credentials')
  config = join(dir, '.aws', 'config')
  writeFileSync(credentials, USER_SECTION)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** How many times a section header occurs as a line of its own. */
function occurrences(text: string, header: string): number {
  return text.split(/\r?\n/).filter(line => line === `[${header}]`).length
}

describe('parallel writers', () => {
  it(`${WRITERS} processes writing different profiles at once all land, each exactly once`, async () => {
    const started = Date.now()
    const writers = Array.from({ length: WRITERS }, (_, i) =>
      startWriter(writer, {
        credentials,
        config,
        profile: `p${i}`,
        keyId: `ASIAPARALLEL${i}`,
        wait: true
      })
    )
    // All loaded first, then all released at once, so that they really contend for the lock.
    await Promise.all(writers.map(w => w.ready))
    const released = Date.now()
    writers.forEach(w => w.go())
    const results = await Promise.all(writers.map(w => w.exit))
    const finished = Date.now()
    console.log(
      `${WRITERS} parallel writers: ${finished - started} ms in all, ` +
        `${finished - released} ms from the common start to the last write`
    )
    for (const result of results) expect(result).toEqual({ code: 0, signal: null, stderr: '' })

    const credentialsText = readFileSync(credentials, 'utf8')
    const configText = readFileSync(config, 'utf8')
    expect(validateIni(credentialsText)).toBeUndefined()
    expect(validateIni(configText)).toBeUndefined()
    expect(credentialsText.startsWith(`${USER_SECTION}\n[`)).toBe(true)

    const sections = readSections(credentialsText)
    const regions = readSections(configText)
    expect(sections.size).toBe(WRITERS + 1)
    for (let i = 0; i < WRITERS; i++) {
      expect(occurrences(credentialsText, `p${i}`)).toBe(1)
      expect(occurrences(configText, `profile p${i}`)).toBe(1)
      expect(sections.get(`p${i}`)?.get('aws_access_key_id')).toBe(`ASIAPARALLEL${i}`)
      expect(sections.get(`p${i}`)?.get('aws_secret_access_key')).toBe(
        secretFor(`ASIAPARALLEL${i}`)
      )
      expect(regions.get(`profile p${i}`)?.get('region')).toBe('eu-west-1')
    }
    expect(existsSync(`${credentials}.lock`)).toBe(false)
    expect(readdirSync(join(dir, '.aws')).sort()).toEqual(['config', 'credentials'])
    expect(finished - started).toBeLessThan(20_000)
  }, 40_000)
})
