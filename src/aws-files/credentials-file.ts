/**
 * The AWS shared credentials and config files are shared state: other steps, other jobs on a
 * self-hosted runner and the user all write them. So every change is read-modify-write under a
 * cross-process lock, written atomically (temp file, fsync, rename), and never through a symlink.
 */
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { readFile, rmdir, stat } from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import { kindOf, lockedUpdate, readForWrite, sweepLeftovers } from './atomic-file.js'
import { withLock, type LockOptions } from './file-lock.js'
import { FileError } from '../errors/run-errors.js'
import { named, said } from '../errors/named-inputs.js'
import {
  hasContent,
  isValidProfileName,
  removeSections,
  sectionEntries,
  sectionNames,
  upsertSections,
  validateIni,
  type SectionUpdate
} from './ini.js'

export interface AwsFilePaths {
  credentials: string
  config: string
}

export interface ProfileCredentials {
  profile: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  region: string
}

/**
 * Where the AWS CLI looks: the environment overrides, else ~/.aws. The home directory comes from
 * the env given (HOME, or USERPROFILE on Windows) so that callers with their own env are honoured.
 */
export function awsFilePaths(
  env: NodeJS.ProcessEnv,
  home: string = env.HOME ||
    (process.platform === 'win32' ? env.USERPROFILE : undefined) ||
    homedir()
): AwsFilePaths {
  const pick = (configured: string | undefined, fallback: string): string =>
    resolve(expandHome(configured || fallback, home))
  return {
    credentials: pick(env.AWS_SHARED_CREDENTIALS_FILE, join(home, '.aws', 'credentials')),
    config: pick(env.AWS_CONFIG_FILE, join(home, '.aws', 'config'))
  }
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home
  if (path.startsWith('~/') || path.startsWith(`~${sep}`)) return join(home, path.slice(2))
  return path
}

/**
 * Written into every credentials and config section this action creates, so the file itself shows
 * which sections are the action's, without a secret (the AWS CLI ignores keys it does not know).
 */
const MARK_KEY = 'x_written_by'
const MARK_VALUE = 'saml-assume-role'

function isOurs(entries: Map<string, string> | undefined): boolean {
  return entries?.get(MARK_KEY) === MARK_VALUE
}

/** What a write did beyond adding sections, for the cleanup state and the log. */
export interface WriteReport {
  /** Profiles whose credentials section held keys from elsewhere and was replaced. */
  overwritten: string[]
}

/**
 * Every local reason a write would fail or do harm, found before any STS request: a bad profile
 * name, one file named twice, a symlink, directory or device at a path, a file that is not UTF-8,
 * a directory that cannot be written, and a credentials section this action did not write (unless
 * `overwrite`). Returns the profiles that would be overwritten.
 */
export async function checkProfileWrites(
  paths: AwsFilePaths,
  profiles: string[],
  overwrite: boolean
): Promise<string[]> {
  profiles.forEach(checkProfileName)
  const { credentials, config } = await distinctFiles(paths)
  const credentialsText = await readForWrite(credentials)
  await readForWrite(config)
  return foreignSections(credentials, credentialsText, profiles, overwrite)
}

/**
 * Write every profile's credentials (and, for a config section it creates, the region) in one
 * atomic write per file, holding both locks: credentials first, then config, always in that
 * order. Both files are checked before either is written, so a refused config file leaves no
 * credentials behind. Config sections that exist already are left exactly as they are.
 */
export async function writeProfiles(
  paths: AwsFilePaths,
  profiles: ProfileCredentials[],
  options: LockOptions & { overwrite?: boolean } = {}
): Promise<WriteReport> {
  const report: WriteReport = { overwritten: [] }
  if (profiles.length === 0) return report
  for (const p of profiles) {
    checkProfileName(p.profile)
    if (p.region === '') throw new Error(`No region for profile ${p.profile}`)
    if (Number.isNaN(p.expiration.getTime())) {
      throw new Error(`Invalid expiration for profile ${p.profile}`)
    }
  }
  const { credentials, config } = await distinctFiles(paths)
  await withLock(credentials, options, () =>
    withLock(config, options, async () => {
      // Checked again under the locks: another writer may have changed the files since.
      const credentialsText = await readForWrite(credentials)
      const configText = await readForWrite(config)
      const names = profiles.map(p => p.profile)
      report.overwritten = foreignSections(
        credentials,
        credentialsText,
        names,
        options.overwrite ?? false
      )
      const configUpdates: SectionUpdate[] = []
      for (const p of profiles) {
        const existing = sectionEntries(configText ?? '', configHeader(p.profile))
        // The user's own config section (region, output, others) is theirs: kept as it is.
        if (existing !== undefined && !isOurs(existing)) continue
        configUpdates.push({
          header: configHeader(p.profile),
          entries: [
            ['region', p.region],
            [MARK_KEY, MARK_VALUE]
          ],
          keepOtherKeys: true
        })
      }
      const credentialsNext = checked(
        credentials,
        credentialsText,
        upsertSections(credentialsText ?? '', profiles.map(credentialsUpdate))
      )
      const configNext =
        configUpdates.length === 0
          ? configText
          : checked(config, configText, upsertSections(configText ?? '', configUpdates))
      await lockedUpdate(credentials, () => credentialsNext)
      await lockedUpdate(config, () => configNext)
    })
  )
  return report
}

function credentialsUpdate(p: ProfileCredentials): SectionUpdate {
  return {
    header: p.profile,
    entries: [
      ['aws_access_key_id', p.accessKeyId],
      ['aws_secret_access_key', p.secretAccessKey],
      ['aws_session_token', p.sessionToken],
      // Ignored by the AWS CLI; saml2aws writes the same key, so tools that read it keep working.
      ['x_security_token_expires', p.expiration.toISOString()],
      [MARK_KEY, MARK_VALUE]
    ]
  }
}

/** Profiles whose credentials section holds keys this action did not write; refused unless allowed. */
function foreignSections(
  path: string,
  text: string | undefined,
  profiles: string[],
  overwrite: boolean
): string[] {
  const foreign = profiles.filter(profile => {
    const entries = sectionEntries(text ?? '', profile)
    return entries !== undefined && entries.size > 0 && !isOurs(entries)
  })
  if (foreign.length > 0 && !overwrite) {
    const sections = foreign.map(name => `[${name}]`).join(', ')
    throw new FileError(
      said`Refusing to overwrite a profile in ${path} that this action did not write: ${sections} holds keys from elsewhere (your long-term keys, another tool), which the write and the cleanup after the job would destroy. Nothing was sent to STS. Choose another ${named('profile')}, or set ${named('overwrite-profile')} to true to replace it (the previous section is not restored afterwards).`,
      'profile-exists'
    )
  }
  return foreign
}

/** The directories on the way to the files that do not exist yet, deepest first. */
export async function missingDirs(paths: AwsFilePaths): Promise<string[]> {
  const missing = new Set<string>()
  for (const file of [paths.credentials, paths.config].map(path => resolve(path))) {
    for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
      if ((await kindOf(dir)) !== undefined) break
      missing.add(dir)
    }
  }
  return [...missing].sort((a, b) => b.length - a.length)
}

/** Said when the run replaced sections, and again when the post step removes them. */
export function overwroteMessage(profiles: string[], path: string): string {
  return (
    `Overwrote ${profiles.map(name => `[${name}]`).join(', ')} in ${path} as 'overwrite-profile' allows: ` +
    'the keys it held before are gone, and the post step removes this run’s section without restoring them.'
  )
}

/**
 * The credentials and config files that hold something this action did not write (comments, other
 * profiles; an empty file does not count). Recorded before a write, so the post step never deletes
 * such a file, even when nothing but the user's comments is left in it.
 */
export async function filesToKeep(paths: AwsFilePaths): Promise<string[]> {
  const { credentials, config } = distinctPaths(paths)
  const keep: string[] = []
  for (const file of [credentials, config]) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch {
      continue
    }
    const others = removeSections(text, sectionNames(text), (_, entries) => !isOurs(entries))
    if (others.text.trim() !== '') keep.push(file)
  }
  return keep
}

/**
 * Remove the directories a run created, when they are empty at the end: a job must not leave an
 * empty ~/.aws behind on a self-hosted runner. A directory with anything in it stays.
 */
export async function removeEmptyDirs(dirs: string[]): Promise<string[]> {
  const removed: string[] = []
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(dir)
      removed.push(dir)
    } catch {
      // Not empty, gone, or not ours to remove: it stays.
    }
  }
  return removed
}

/**
 * What the cleanup state keeps to recognise this run's profile: a hash, so the key ID itself
 * (masked in every log) is not stored in the runner's state as well.
 */
export function keyFingerprint(accessKeyId: string): string {
  return createHash('sha256').update(accessKeyId).digest('hex')
}

/**
 * Remove the profiles this run wrote, but only those that still hold this run's access key id (by its fingerprint):
 * another run may have replaced one since, and then it is theirs. A config section goes only with
 * its credentials, and only when this action created it and it holds nothing but what the action
 * wrote (the region and the mark). A file left with
 * nothing but whitespace and comments is deleted, unless it is one of `keep` (files that existed
 * before the run: their comments are the user's, and so is the file).
 */
export async function removeProfiles(
  paths: AwsFilePaths,
  written: Array<{ profile: string; keyFingerprint: string }>,
  options: LockOptions & { keep?: string[] } = {}
): Promise<{ removed: string[]; skipped: string[] }> {
  written.forEach(entry => checkProfileName(entry.profile))
  const keyIds = new Map(written.map(entry => [entry.profile, entry.keyFingerprint]))
  const { credentials, config } = distinctPaths(paths)
  const keep = new Set((options.keep ?? []).map(path => resolve(path)))
  // A killed write's temp file holds a whole copy of the credentials: gone before the job ends.
  await sweepLeftovers(credentials)
  await sweepLeftovers(config)
  let removed: string[] = []
  if ((await kindOf(credentials)) !== undefined) {
    const configExists = (await kindOf(config)) !== undefined
    await withLock(credentials, options, async () => {
      await lockedUpdate(credentials, current => {
        if (current === undefined) return undefined
        const result = removeSections(
          current,
          [...keyIds.keys()],
          (profile, entries) =>
            keyFingerprint(entries.get('aws_access_key_id') ?? '') !== keyIds.get(profile)
        )
        removed = result.removed
        return afterRemoval(current, result, keep.has(credentials))
      })
      if (removed.length === 0 || !configExists) return
      await withLock(config, options, () =>
        lockedUpdate(config, current => {
          if (current === undefined) return undefined
          // Only a config section this action created, holding nothing but what it wrote.
          const result = removeSections(
            current,
            removed.map(configHeader),
            (_, entries) =>
              !isOurs(entries) ||
              [...entries.keys()].some(key => key !== 'region' && key !== MARK_KEY)
          )
          return afterRemoval(current, result, keep.has(config))
        })
      )
    })
  }
  const skipped = [...keyIds.keys()].filter(profile => !removed.includes(profile))
  return { removed: [...keyIds.keys()].filter(profile => removed.includes(profile)), skipped }
}

function configHeader(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`
}

function checkProfileName(profile: string): void {
  // A name with a bracket or a line break could inject sections into the file.
  if (!isValidProfileName(profile)) {
    throw new Error(
      `Invalid profile name ${JSON.stringify(profile.slice(0, 80))}: use 1-64 letters, digits and + = , . @ _ -`
    )
  }
}

/** Two paths may name one file without being equal (a hard link, a symlinked directory). */
async function distinctFiles(paths: AwsFilePaths): Promise<AwsFilePaths> {
  const { credentials, config } = distinctPaths(paths)
  const [a, b] = await Promise.all(
    [stat(credentials), stat(config)].map(p => p.catch(() => undefined))
  )
  if (a && b && a.dev === b.dev && a.ino === b.ino) {
    throw new FileError(
      `The credentials file and the config file are the same file (${credentials} and ${config} name one file)`,
      'same-file'
    )
  }
  return { credentials, config }
}

function distinctPaths(paths: AwsFilePaths): AwsFilePaths {
  const credentials = resolve(paths.credentials)
  const config = resolve(paths.config)
  if (credentials === config) {
    throw new FileError(
      `The credentials file and the config file are the same file (${credentials})`,
      'same-file'
    )
  }
  return { credentials, config }
}

function afterRemoval(
  current: string,
  result: { text: string; removed: string[] },
  keepFile: boolean
): string | undefined {
  if (result.removed.length === 0) return current
  return keepFile || hasContent(result.text) ? result.text : undefined
}

/** Never make a parseable file unparseable (a file that was broken already is still written). */
function checked(path: string, before: string | undefined, after: string): string {
  const problem = validateIni(after)
  if (problem !== undefined && (before === undefined || validateIni(before) === undefined)) {
    throw new FileError(
      `Refusing to write ${path}: the result would not parse (${problem})`,
      'would-not-parse'
    )
  }
  return after
}
