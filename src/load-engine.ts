/**
 * The engine, and the AWS SDK inside it (most of the bundle's start-up), is loaded on first use
 * rather than with the bundle (the package step puts it in a chunk of its own): input errors and
 * the CLI's help and `roles` never pay for it, and a sign-in has it loaded while the IdP works on
 * the first request.
 */
export type Engine = typeof import('./engine.js')

let loading: Promise<Engine> | undefined

export function loadEngine(): Promise<Engine> {
  if (!loading) {
    loading = import('./engine.js')
    // Started early and awaited later: a failure surfaces at that await, not as unhandled.
    loading.catch(() => undefined)
  }
  return loading
}
