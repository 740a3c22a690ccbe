// Imported by @actions/core's OIDC helper next to HttpClient; unused by saml-assume-role.
export class BearerCredentialHandler {}
