import { AssertionError } from './run-errors.js'
import { CATALOG_INPUTS, PREFLIGHT_ERRORS, type PreflightErrorId } from './error-catalog.js'
import { namedIn } from './named-inputs.js'

/** A pre-flight failure: the catalog's problem, this case's detail, then cause and fix. */
export function preflightError(id: PreflightErrorId, detail?: string): AssertionError {
  const entry = PREFLIGHT_ERRORS[id]
  // A detail ending in a list (one item per line) stands as it is; a sentence gets its full stop.
  const sentence = (text: string): string =>
    text.endsWith('\n') ? text : text.replace(/[^.]$/, '$&.')
  const what = detail ? `${entry.problem}: ${sentence(detail)}` : `${entry.problem}.`
  return new AssertionError(namedIn(`${what} ${entry.cause} ${entry.fix}`, CATALOG_INPUTS))
}
