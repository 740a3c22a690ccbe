// Only @actions/core's platform.getDetails reaches this, and saml-assume-role never calls it.
export function getExecOutput() {
  throw new Error('Running commands through @actions/exec is not bundled in saml-assume-role.')
}
