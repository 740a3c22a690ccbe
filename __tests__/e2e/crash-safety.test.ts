/**
 * Writers are killed with SIGKILL at random points while they rewrite one profile in a large
 * file. Whatever the moment, the file must parse, every other section must be intact byte for
 * byte, and the profile must hold exactly the old or exactly the new credentials: never a torn
 * mix. The lock a killed writer leaves behind must not block the next one.
 * The kill points come from a seeded PRNG: a failure prints CRASH_SAFETY_SEED=N, and running with
 * that env variable replays the same kill points (the machine's timing still varies).
 */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  watch,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest'
import { validateIni } from '../../src/aws-files/ini.js'
import {
  compileWriter,
  secretFor,
  startWriter,
  tokenFor,
  type Writer
} from '../support/profile-writer.js'
import { mulberry32, seedFrom } from '../support/seeded-random.js'

const ITERATIONS = 40
/** Sections on either side of the target: about 2 MB in all, so a write takes a while. */
const FILLER_SECTIONS = 1_000

interface State {
  keyId: string
  expiration: string
  region: string
}

let dir: string
let aws: string
let credentials: string
let config: string
let writer: string

const filler = (i: number): string =>
  `# filler ${i}\n[filler-${i}]\naws_access_key_id = AKIAFILLER${i}\n` +
  `aws_secret_access_key = ${secretFor(`AKIAFILLER${i}`)}\n` +
  // As long as a real STS session token.
  `aws_session_token = ${tokenFor(`F${i}`).repeat(2)}${'y'.repeat(100)}\n`
const BEFORE = Array.from({ length: FILLER_SECTIONS }, (_, i) => filler(i))
const AFTER = Array.from({ length: FILLER_SECTIONS }, (_, i) => filler(FILLER_SECTIONS + i))

/** The whole credentials file as it must be with the target holding `state`. */
function credentialsWith(state: State): string {
  const target =
    `[target]\naws_access_key_id = ${state.keyId}\naws_secret_access_key = ${secretFor(state.keyId)}\n` +
    `aws_session_token = ${tokenFor(state.keyId)}\nx_security_token_expires = ${state.expiration}\n` +
    // The mark of a section the action wrote: only such a section is replaced without asking.
    'x_written_by = saml-assume-role\n'
  return [...BEFORE, target, ...AFTER].join('\n')
}

function configWith(state: State): string {
  return `# config\n[profile other]\nregion = us-east-1\n\n[profile target]\nregion = ${state.region}\noutput = json\nx_written_by = saml-assume-role\n`
}

function stateFor(iteration: number): State {
  return {
    keyId: `ASIACRASH${iteration}`,
    expiration: new Date(Date.UTC(2030, 0, 1) + iteration * 1000).toISOString(),
    // One of its own per write, so a lagging config file is told apart from an up-to-date one.
    region: `eu-test-${iteration}`
  }
}

const leftovers = (): string[] =>
  readdirSync(aws).filter(name => name !== 'credentials' && name !== 'config')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crash-safety-'))
  writer = await compileWriter(join(dir, 'bin'))
  aws = join(dir, '.aws')
  mkdirSync(aws)
  credentials = join(aws, 'credentials')
  config = join(aws, 'config')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Started ahead of its turn: it loads while the previous one runs, and waits for go(). */
function spawnWriter(state: State): Writer {
  return startWriter(writer, { credentials, config, profile: 'target', ...state, wait: true })
}

type Kill = { afterMs: number } | { afterTempFileMs: number }

/**
 * Run one writer to `state`. The kill comes `afterMs` after the write starts, or `afterTempFileMs`
 * after its temp file appears: uniform kills mostly land while it parses, so half of them aim at
 * the write itself.
 */
async function runWriter(w: Writer, kill?: Kill) {
  await w.ready
  const existing = new Set(readdirSync(aws))
  const timers: NodeJS.Timeout[] = []
  const killLater = (ms: number): void => {
    timers.push(setTimeout(() => w.child.kill('SIGKILL'), ms))
  }
  const watcher =
    kill && 'afterTempFileMs' in kill
      ? watch(aws, (_, name) => {
          if (name?.includes('.tmp-') && !existing.has(name) && timers.length === 0) {
            killLater(kill.afterTempFileMs)
          }
        })
      : undefined
  const started = Date.now()
  w.go()
  if (kill && 'afterMs' in kill) killLater(kill.afterMs)
  const exit = await w.exit
  timers.forEach(clearTimeout)
  watcher?.close()
  return { ...exit, ms: Date.now() - started }
}

describe('crash safety', () => {
  it(`survives ${ITERATIONS} writers killed at random points`, async () => {
    const seed = seedFrom('CRASH_SAFETY_SEED')
    const random = mulberry32(seed)
    onTestFailed(() => {
      console.error(`crash safety failed with CRASH_SAFETY_SEED=${seed} (set it to replay)`)
    })
    let current = stateFor(0)
    writeFileSync(credentials, credentialsWith(current))
    writeFileSync(config, configWith(current))
    const started = Date.now()

    // Calibrate: how long a whole write takes here, so the kills spread over all of it.
    const durations: number[] = []
    for (const iteration of [1, 2]) {
      const state = stateFor(iteration)
      const result = await runWriter(spawnWriter(state))
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' })
      expect(readFileSync(credentials, 'utf8')).toBe(credentialsWith(state))
      expect(readFileSync(config, 'utf8')).toBe(configWith(state))
      durations.push(result.ms)
      current = state
    }
    const window = Math.max(...durations) * 1.25

    const outcomes: Record<string, number> = {}
    let currentRegion = current.region
    let lockWasLeft = false
    let locksRecovered = 0
    let killsHoldingTheLock = 0
    let upcoming = spawnWriter(stateFor(3))
    for (let iteration = 3; iteration < ITERATIONS + 3; iteration++) {
      const next = stateFor(iteration)
      const w = upcoming
      upcoming = spawnWriter(stateFor(iteration + 1))
      const tempsBefore = leftovers().filter(name => name.includes('.tmp-')).length
      const aimed = iteration % 2 === 0
      const result = await runWriter(
        w,
        aimed ? { afterTempFileMs: random() * 20 } : { afterMs: random() * window }
      )

      const text = readFileSync(credentials, 'utf8')
      const configText = readFileSync(config, 'utf8')
      expect(validateIni(text)).toBeUndefined()
      expect(validateIni(configText)).toBeUndefined()
      const isNew = text === credentialsWith(next)
      // Every other section intact, the target exactly old or exactly new.
      if (!isNew) expect(text).toBe(credentialsWith(current))
      // The config is written after the credentials, so it may lag by one write, never lead.
      const region = configText === configWith(next) ? next.region : currentRegion
      expect(configText).toBe(configWith({ ...next, region }))
      if (region === next.region) expect(isNew).toBe(true)

      const names = leftovers()
      const tempLeft = names.filter(name => name.includes('.tmp-')).length > tempsBefore
      const lockLeft = names.some(name => name.endsWith('.lock'))
      const outcome =
        result.signal === null
          ? 'finished before the kill'
          : tempLeft
            ? 'killed mid-write (temp file left)'
            : lockLeft
              ? isNew
                ? 'killed after a rename, holding the lock'
                : 'killed holding the lock, before writing'
              : isNew
                ? 'killed after releasing the lock'
                : 'killed before taking the lock'
      const key = `${outcome}${aimed ? ' [aimed at the write]' : ''}`
      outcomes[key] = (outcomes[key] ?? 0) + 1
      if (result.signal === null) expect(result).toMatchObject({ code: 0, stderr: '' })
      // Getting as far as a temp file or a rename means getting past the dead writer's lock.
      if (lockWasLeft && (isNew || tempLeft || result.signal === null)) locksRecovered++
      if (result.signal !== null && (lockLeft || tempLeft)) killsHoldingTheLock++
      lockWasLeft = lockLeft
      if (isNew) current = next
      currentRegion = region
    }

    // The next writer recovers whatever lock the last kill left, and sweeps old temp files.
    const names = leftovers()
    const old = new Date(Date.now() - 120_000)
    for (const name of names.filter(
      name => name.includes('.tmp-') || name.includes('.lock.stale-')
    ))
      utimesSync(join(aws, name), old, old)
    const final = stateFor(ITERATIONS + 3)
    const result = await runWriter(upcoming)
    expect(result).toMatchObject({ code: 0, signal: null, stderr: '' })
    expect(readFileSync(credentials, 'utf8')).toBe(credentialsWith(final))
    expect(readFileSync(config, 'utf8')).toBe(configWith(final))
    expect(leftovers()).toEqual([])

    const elapsed = Date.now() - started
    console.log(
      `crash safety (CRASH_SAFETY_SEED=${seed}): ${ITERATIONS} kills within ${Math.round(window)} ms of the start of a ` +
        `${(credentialsWith(final).length / 1e6).toFixed(1)} MB write (full write ${durations.join(', ')} ms), ` +
        `${elapsed} ms in all; ${killsHoldingTheLock} kills while holding the lock, ` +
        `${locksRecovered} of their locks recovered by the next writer; ` +
        `leftovers before the sweep: ${names.length}\n` +
        Object.entries(outcomes)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([outcome, count]) => `  ${count} ${outcome}`)
          .join('\n')
    )
    expect(killsHoldingTheLock).toBeGreaterThan(0)
    expect(locksRecovered).toBeGreaterThan(0)
  }, 90_000)
})
