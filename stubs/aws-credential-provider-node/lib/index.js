// Reached only by an STS client built without credentials, which saml-assume-role never builds.
export function defaultProvider() {
  return () =>
    Promise.reject(
      new Error(
        'saml-assume-role gives every STS client its credentials; the default chain is not bundled.'
      )
    )
}
