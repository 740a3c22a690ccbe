/**
 * The programs some tests need beside Node: moto_server, tinyproxy, the AWS CLI v2, and PHP with
 * SimpleSAMLphp. On a developer's machine a missing one skips its tests with a message saying so;
 * under CI=true it fails the run, so a CI machine that lost a peer cannot pass by skipping.
 * .ci/run and .github/workflows/ci.yml install them (README: "What the tests need").
 */

/** What to install, per peer, for the message. */
const INSTALL: Record<string, string> = {
  moto_server: "pip install 'moto[server]' (or Debian's python3-moto, where it has one)",
  tinyproxy: 'apt-get install tinyproxy',
  'the AWS CLI': 'apt-get install awscli (version 2)',
  php: 'apt-get install php-cli php-xml',
  simplesamlphp: 'apt-get install simplesamlphp'
}

/**
 * Returns `found`. When the peer is missing: throws under CI=true, otherwise warns that the tests
 * named by `needs` are skipped (not passed). Call it while tests are collected, and skip on false:
 * `describe.skipIf(!requirePeer('tinyproxy', found, 'the forward proxy tests'))(...)`.
 */
export function requirePeer(name: string, found: boolean, needs: string): boolean {
  if (found) return true
  const install = INSTALL[name] ?? `install ${name}`
  if (process.env.CI === 'true') {
    throw new Error(`${name} is missing, and CI=true does not skip ${needs}: ${install}.`)
  }
  console.warn(`${name} not found: ${needs} SKIPPED (not passed). To run them: ${install}.`)
  return false
}
