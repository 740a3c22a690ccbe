import { ecpProvider } from './ecp-provider.js'
import { formProvider } from './form-provider.js'
import { oktaProvider } from './okta-provider.js'
import type { IdpProviderName, SignInProvider } from './provider.js'

/** One provider per `idp-provider` value. */
export const PROVIDERS: Record<IdpProviderName, SignInProvider> = {
  form: formProvider,
  ecp: ecpProvider,
  okta: oktaProvider
}
