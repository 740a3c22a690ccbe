/**
 * The AWS shared credentials and config files are shared state: other steps, other jobs on a
 * self-hosted runner and the user all write them. So every change is read-modify-write under a
 * cross-process lock, written atomically (temp file, fsync, rename), and never through a symlink.
 */
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { join, resolve, sep } from 'node:path'
import { kindOf, lockedUpdate, sweepLeftovers } from './atomic-file.js'
import { withLock, type LockOptions } from './file-lock.js'
import { FileError } from '../errors/run-errors.js'
import {
  hasContent,
  isValidProfileName,
  removeSections,
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
 * Write every profile's credentials (and its region to the config file) in one atomic write per
 * file, holding both locks: credentials first, then config, always in that order.
 */
export async function writeProfiles(
  paths: AwsFilePaths,
  profiles: ProfileCredentials[],
  options: LockOptions = {}
): Promise<void> {
  if (profiles.length === 0) return
  const credentialUpdates: SectionUpdate[] = []
  const configUpdates: SectionUpdate[] = []
  for (const p of profiles) {
    checkProfileName(p.profile)
    if (p.region === '') throw new Error(`No region for profile ${p.profile}`)
    if (Number.isNaN(p.expiration.getTime())) {
      throw new Error(`Invalid expiration for profile ${p.profile}`)
    }
    credentialUpdates.push({
      header: p.profile,
      entries: [
        ['aws_access_key_id', p.accessKeyId],
        ['aws_secret_access_key', p.secretAccessKey],
        ['aws_session_token', p.sessionToken],
        // Ignored by the AWS CLI; saml2aws writes the same key, so tools that read it keep working.
        ['x_security_token_expires', p.expiration.toISOString()]
      ]
    })
    // The user's own settings for the profile (output, cli_pager, s3 ...) stay.
    configUpdates.push({
      header: configHeader(p.profile),
      entries: [['region', p.region]],
      keepOtherKeys: true
    })
  }
  const { credentials, config } = distinctPaths(paths)
  await withLock(credentials, options, () =>
    withLock(config, options, async () => {
      await lockedUpdate(credentials, current =>
        checked(credentials, current, upsertSections(current ?? '', credentialUpdates))
      )
      await lockedUpdate(config, current =>
        checked(config, current, upsertSections(current ?? '', configUpdates))
      )
    })
  )
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
 * its credentials, and only when it holds nothing but the region we wrote. A file left with
 * nothing but whitespace and comments is deleted.
 */
export async function removeProfiles(
  paths: AwsFilePaths,
  written: Array<{ profile: string; keyFingerprint: string }>,
  options: LockOptions = {}
): Promise<{ removed: string[]; skipped: string[] }> {
  written.forEach(entry => checkProfileName(entry.profile))
  const keyIds = new Map(written.map(entry => [entry.profile, entry.keyFingerprint]))
  const { credentials, config } = distinctPaths(paths)
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
        return afterRemoval(current, result)
      })
      if (removed.length === 0 || !configExists) return
      await withLock(config, options, () =>
        lockedUpdate(config, current => {
          if (current === undefined) return undefined
          const result = removeSections(current, removed.map(configHeader), (_, entries) =>
            [...entries.keys()].some(key => key !== 'region')
          )
          return afterRemoval(current, result)
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
  result: { text: string; removed: string[] }
): string | undefined {
  if (result.removed.length === 0) return current
  return hasContent(result.text) ? result.text : undefined
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
