import type { FileErrorId } from './error-catalog.js'
import { actionName, render, type NameInput, type Said } from './named-inputs.js'

/**
 * The ways a run can fail. The CLI maps each to its own exit code; the action reports the
 * message once through core.setFailed. Messages never contain a secret and quote untrusted text.
 */
export type FailureKind = 'usage' | 'assertion' | 'sts' | 'sign-in' | 'file'

export abstract class RunError extends Error {
  abstract readonly kind: FailureKind
  /** The message with the inputs it names kept apart (named-inputs.ts). */
  readonly said: Said

  /** `message` is in the action's words; a Said lets other hosts name its inputs their way. */
  constructor(message: string | Said) {
    const parts = typeof message === 'string' ? [message] : message
    super(render(parts, actionName))
    this.said = parts
  }

  /** The message with each input named as the host names it (the CLI: --role-arn). */
  wordedFor(nameInput: NameInput): string {
    return render(this.said, nameInput)
  }
}

/** A wrong or missing input: fixable in the workflow file. */
export class InputError extends RunError {
  readonly kind = 'usage'
}

/** The assertion failed a local pre-flight check: no request was sent to STS. */
export class AssertionError extends RunError {
  readonly kind = 'assertion'
}

/** STS (or the way to it) refused or failed the call. */
export class StsError extends RunError {
  readonly kind = 'sts'
  constructor(
    message: string | Said,
    readonly code: string,
    readonly retryable: boolean,
    readonly httpStatus?: number
  ) {
    super(message)
  }
}

/**
 * Signing in at the IdP failed (wrong password, MFA, a page not understood, the IdP unreachable).
 * No request was sent to STS. `code` is the catalog entry (SIGN_IN_ERRORS).
 */
export class SignInError extends RunError {
  readonly kind = 'sign-in'
  constructor(
    message: string | Said,
    readonly code: string
  ) {
    super(message)
  }
}

/**
 * A credentials or config file (or its lock) could not be written safely: a symlink, not a
 * regular file, not UTF-8, the same file twice, a lock held too long. Nothing was written.
 * `code` is the catalog entry (FILE_ERRORS).
 */
export class FileError extends RunError {
  readonly kind = 'file'
  constructor(
    message: string | Said,
    readonly code: FileErrorId
  ) {
    super(message)
  }
}

/** The error of a call's last attempt, with why retrying stopped and how many requests were made. */
export class RetriesStopped extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
    readonly reason: 'not retryable' | 'attempts exhausted' | 'budget spent' | 'assertion expires'
  ) {
    super(errorMessage(last))
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
