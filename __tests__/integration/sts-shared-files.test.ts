/**
 * In process, with the SDK as src/ loads it: no STS client (the unsigned SAML one, the signed ones
 * for chaining and verify-credentials) opens the shared AWS files, whether ~/.aws or the files
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name. Each is a FIFO: a reader blocks on it
 * until a writer comes, so a poll that finds a reader waiting has caught a read, names the file,
 * and lets the run go on (it then reads an empty file). The built action is checked for every
 * path it touches by __tests__/e2e/no-shared-files.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { closeSync, constants, mkdirSync, openSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_ROLES } from '../support/sts-emulator.js'
import { useInProcessRunner } from '../support/in-process.js'

const { world, runWith } = useInProcessRunner()

const fifos: string[] = []

function makeFifos(dir: string): void {
  mkdirSync(dir, { recursive: true })
  for (const name of ['config', 'credentials']) {
    const fifo = join(dir, name)
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0)
    fifos.push(fifo)
  }
}

/** True when a reader is waiting on the FIFO; opening it for writing also releases that reader. */
function releaseReader(fifo: string): boolean {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false
    throw error
  }
}

afterEach(() => {
  for (const fifo of fifos.splice(0)) releaseReader(fifo)
})

// mkfifo and FIFO semantics are POSIX: Windows has neither.
describe.skipIf(process.platform === 'win32')('the STS clients and the shared files', () => {
  it.each(['~/.aws', 'AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE'])(
    'open none of them (%s), for the SAML call, chaining and verify-credentials',
    async where => {
      if (where === '~/.aws') {
        makeFifos(join(process.env.HOME!, '.aws'))
      } else {
        const elsewhere = join(process.env.HOME!, '..', 'aws-elsewhere')
        makeFifos(elsewhere)
        // Restored after the test by useInProcessRunner.
        Object.assign(process.env, {
          AWS_CONFIG_FILE: join(elsewhere, 'config'),
          AWS_SHARED_CREDENTIALS_FILE: join(elsewhere, 'credentials'),
          AWS_PROFILE: 'other'
        })
      }
      const opened = new Set<string>()
      const poll = setInterval(() => {
        for (const fifo of fifos) if (releaseReader(fifo)) opened.add(fifo)
      }, 20)
      try {
        const run = await runWith({
          'chain-role-arn': DEMO_ROLES.readOnly,
          'verify-credentials': 'true'
        })
        for (const fifo of fifos) if (releaseReader(fifo)) opened.add(fifo)
        expect([...opened]).toEqual([])
        expect(run.error).toBeUndefined()
        expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
        expect(world().emulator.requestCount('AssumeRoleWithSAML')).toBe(1)
        expect(world().emulator.requestCount('AssumeRole')).toBe(1)
        expect(world().emulator.requestCount('GetCallerIdentity')).toBe(1)
      } finally {
        clearInterval(poll)
      }
    }
  )
})
