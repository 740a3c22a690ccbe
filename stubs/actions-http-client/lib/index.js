// Only @actions/core's getIDToken reaches this, and saml-assume-role never calls it.
export class HttpClient {
  constructor() {
    throw new Error(
      'HTTP through @actions/http-client is not bundled in saml-assume-role (OIDC is not used).'
    )
  }
}
