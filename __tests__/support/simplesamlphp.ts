/**
 * SimpleSAMLphp (Debian's package) as a real IdP on 127.0.0.1, for the sign-in tests: `php -S`
 * on a free port, a temp docroot holding the `simplesaml` symlink, and the fixture config in
 * __tests__/fixtures/simplesamlphp (SIMPLESAMLPHP_CONFIG_DIR). It stops with close(), and by
 * itself when the test process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { freePort } from './free-port.js'
import { requirePeer } from './peers.js'
import type { StsEmulator } from './sts-emulator.js'
import { makeTempDir } from './temp-dirs.js'

export const SSP_WWW = '/usr/share/simplesamlphp/www'
export const SSP_CONFIG = resolve(import.meta.dirname, '..', 'fixtures', 'simplesamlphp')
/** The one user of the fixture (authsources.php), granted Deploy and ReadOnly. */
export const SSP_USER = { username: 'alice', password: 'alice-password' }
export const SSP_PROVIDER_ARN = 'arn:aws:iam::123456789012:saml-provider/SimpleSAMLphp'
export const SSP_ROLES = {
  deploy: 'arn:aws:iam::123456789012:role/Deploy',
  readOnly: 'arn:aws:iam::123456789012:role/ReadOnly'
} as const
/** AWS's SP entity ID: what a real assertion for AWS carries as its Audience. */
export const AWS_AUDIENCES = ['https://signin.aws.amazon.com/saml', 'urn:amazon:webservices']

export interface SimpleSamlPhp {
  /** http://127.0.0.1:PORT */
  origin: string
  /** Where `idp-provider: form` starts: IdP-initiated sign-on for AWS. */
  formUrl: string
  /** Where `idp-provider: ecp` posts. */
  ecpUrl: string
  entityId: string
  certPem: string
  /** Requests that carried a password (the login POST, or HTTP Basic on the ECP endpoint). */
  passwordRequests(): number
  /** Every request so far, as `METHOD /path[ password]`. */
  requests(): string[]
  close(): Promise<void>
}

let available: boolean | undefined

/** PHP with the DOM extension, and the SimpleSAMLphp package. */
export function simpleSamlPhpFound(): boolean {
  if (available === undefined) {
    const php = spawnSync('php', ['-r', 'exit(class_exists("DOMDocument") ? 0 : 3);'], {
      encoding: 'utf8'
    })
    available = php.status === 0 && existsSync(SSP_WWW)
  }
  return available
}

/** For describe.skipIf: skipped with a message where SimpleSAMLphp is missing, failed under CI. */
export function requireSimpleSamlPhp(needs: string): boolean {
  return requirePeer(existsSync(SSP_WWW) ? 'php' : 'simplesamlphp', simpleSamlPhpFound(), needs)
}

export async function startSimpleSamlPhp(): Promise<SimpleSamlPhp> {
  const dir = makeTempDir('simplesamlphp-')
  const docroot = join(dir, 'www')
  const tmp = join(dir, 'tmp')
  mkdirSync(docroot)
  mkdirSync(tmp)
  symlinkSync(SSP_WWW, join(docroot, 'simplesaml'))
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(
    'php',
    ['-S', `127.0.0.1:${port}`, '-t', docroot, join(SSP_CONFIG, 'router.php')],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        SIMPLESAMLPHP_CONFIG_DIR: SSP_CONFIG,
        SSP_PORT: String(port),
        SSP_TMP: tmp
      },
      stdio: ['ignore', 'ignore', 'pipe']
    }
  )
  let log = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000)
  })
  const kill = (): void => {
    child.kill('SIGTERM')
  }
  process.once('exit', kill)
  const close = async (): Promise<void> => {
    process.removeListener('exit', kill)
    if (child.exitCode !== null || child.signalCode !== null) return
    await new Promise<void>(done => {
      child.once('exit', () => done())
      kill()
    })
  }

  const entityId = `${origin}/simplesaml/saml2/idp/metadata.php`
  try {
    await waitUntilAnswering(entityId, child, () => log)
  } catch (error) {
    await close()
    throw error
  }
  const requestLog = join(tmp, 'requests.log')
  const requests = (): string[] =>
    existsSync(requestLog) ? readFileSync(requestLog, 'utf8').split('\n').filter(Boolean) : []
  return {
    origin,
    formUrl: `${origin}/simplesaml/saml2/idp/SSOService.php?spentityid=urn:amazon:webservices`,
    ecpUrl: `${origin}/simplesaml/saml2/idp/SSOService.php`,
    entityId,
    certPem: readFileSync(join(SSP_CONFIG, 'cert', 'idp.crt'), 'utf8'),
    requests,
    passwordRequests: () => requests().filter(line => line.endsWith(' password')).length,
    close
  }
}

/** The emulator trusts SimpleSAMLphp's certificate for SSP_PROVIDER_ARN, with its roles. */
export function trustSimpleSamlPhp(emulator: StsEmulator, ssp: SimpleSamlPhp): void {
  emulator.registerProvider(SSP_PROVIDER_ARN, ssp.certPem, { issuer: ssp.entityId })
  emulator.registerRole(SSP_ROLES.deploy)
  emulator.registerRole(SSP_ROLES.readOnly, { maxSessionDuration: 43200 })
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  log: () => string
): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`php -S exited (${child.exitCode}): ${log()}`)
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await response.arrayBuffer()
      if (response.status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`SimpleSAMLphp did not answer at ${url}: ${log()}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}
