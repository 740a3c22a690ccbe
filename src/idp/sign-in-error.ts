import { CATALOG_INPUTS, SIGN_IN_ERRORS, type SignInErrorId } from '../errors/error-catalog.js'
import { namedIn } from '../errors/named-inputs.js'
import { SignInError } from '../errors/run-errors.js'

/**
 * A sign-in failure: the catalog's problem, this case's detail, then cause and fix. The detail
 * never holds a secret; text from the IdP's pages goes in quoted (log-safety.ts quote()).
 */
export function signInError(id: SignInErrorId, detail?: string): SignInError {
  const entry = SIGN_IN_ERRORS[id]
  const what = detail ? `${entry.problem}: ${detail.replace(/[^.]$/, '$&.')}` : `${entry.problem}.`
  return new SignInError(namedIn(`${what} ${entry.cause} ${entry.fix}`, CATALOG_INPUTS), id)
}
