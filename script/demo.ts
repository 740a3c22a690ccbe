/**
 * `npm run demo`: the action end to end on this machine. A test IdP signs a fresh assertion, the
 * strict STS emulator starts on 127.0.0.1, dist/index.js runs under Node 24 exactly as the runner
 * runs it, and this prints what a workflow would see, with the runner's masking applied.
 * `npm run demo -- --idp`: the step signs in at SimpleSAMLphp (when installed) instead.
 */
import { startDemoWorld } from '../__tests__/support/sts-emulator.js'
import { runAction, type ActionRun } from '../__tests__/support/harness.js'
import {
  AWS_AUDIENCES,
  SSP_ROLES,
  SSP_USER,
  simpleSamlPhpFound,
  startSimpleSamlPhp,
  trustSimpleSamlPhp,
  type SimpleSamlPhp
} from '../__tests__/support/simplesamlphp.js'

/** What the runner does with a step's stdout: hide masked values, swallow add-mask lines. */
function asRunnerShows(run: ActionRun): { log: string[]; masks: string[] } {
  const masks: string[] = []
  const log: string[] = []
  for (const line of run.stdout.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line)
    if (mask) {
      masks.push(mask[1]!.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
      continue
    }
    if (line !== '') log.push(hide(line, masks))
  }
  return { log, masks }
}

function hide(text: string, masks: string[]): string {
  return masks.reduce((shown, secret) => shown.split(secret).join('***'), text)
}

const signIn = process.argv.includes('--idp')
if (signIn && !simpleSamlPhpFound()) {
  console.error(
    'npm run demo -- --idp needs SimpleSAMLphp and PHP: apt-get install -y --no-install-recommends simplesamlphp php-cli php-xml'
  )
  process.exit(1)
}
const world = await startDemoWorld(signIn ? { audience: AWS_AUDIENCES } : {})
let ssp: SimpleSamlPhp | undefined
try {
  if (signIn) {
    ssp = await startSimpleSamlPhp()
    trustSimpleSamlPhp(world.emulator, ssp)
  }
  const { base64 } = world.idp.issue({
    roles: [
      {
        roleArn: 'arn:aws:iam::123456789012:role/Deploy',
        principalArn: 'arn:aws:iam::123456789012:saml-provider/TestIdP'
      }
    ]
  })
  if (ssp) console.log(`SimpleSAMLphp (a real IdP) listening on ${ssp.origin}`)
  else console.log(`Test IdP signed a SAML Response (${base64.length} base64 characters).`)
  console.log(`Strict STS emulator listening on ${world.emulator.url}\n`)
  console.log('workflow step:')
  console.log('  - uses: org/saml-assume-role@v1')
  console.log('    with:')
  if (ssp) {
    console.log(`      idp-url: ${ssp.formUrl}`)
    console.log(`      idp-username: ${SSP_USER.username}`)
    console.log('      idp-password: ${{ secrets.IDP_PASSWORD }}')
  } else {
    console.log('      saml-assertion: ${{ secrets.SAML_RESPONSE }}')
  }
  console.log('      role-arn: arn:aws:iam::123456789012:role/Deploy')
  console.log('      aws-region: eu-west-1')
  console.log(`      sts-endpoint: ${world.emulator.url}   # the local emulator\n`)

  const started = Date.now()
  const run = await runAction('dist/index.js', {
    ...(ssp
      ? {
          'idp-url': ssp.formUrl,
          'idp-username': SSP_USER.username,
          'idp-password': SSP_USER.password
        }
      : { 'saml-assertion': base64 }),
    'role-arn': ssp ? SSP_ROLES.deploy : 'arn:aws:iam::123456789012:role/Deploy',
    'aws-region': 'eu-west-1',
    'sts-endpoint': world.emulator.url,
    'role-duration-seconds': '3600',
    'export-env': 'true',
    'output-credentials': 'false'
  })
  const elapsed = Date.now() - started
  const { log, masks } = asRunnerShows(run)

  console.log(`step log (${masks.length} values masked; exit code ${run.code}; ${elapsed} ms):`)
  for (const line of log) console.log(`  | ${line}`)
  console.log('\nenv for later steps (GITHUB_ENV):')
  for (const [name, value] of Object.entries(run.env))
    console.log(`  ${name}=${hide(value, masks)}`)
  console.log('\nstep outputs (GITHUB_OUTPUT):')
  for (const [name, value] of Object.entries(run.outputs))
    console.log(`  ${name}=${hide(value, masks)}`)
  console.log('\njob summary (GITHUB_STEP_SUMMARY):')
  console.log(`  ${hide(run.summary, masks).trim().replace(/\n/g, '\n  ')}`)
  console.log(`\nSTS requests made: ${world.emulator.requestCount()}`)
  process.exitCode = run.code
} finally {
  await ssp?.close()
  await world.close()
}
