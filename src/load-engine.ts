/**
 * The engine, and the AWS SDK inside it (most of the bundle's start-up), is evaluated on first
 * use rather than when the bundle loads: input errors and the CLI's help and `roles` never pay
 * for it, and a sign-in has it evaluated while the IdP works on the first request. The "eager"
 * mode keeps it in the one bundle file.
 */
export type Engine = typeof import('./engine.js')

let loading: Promise<Engine> | undefined

export function loadEngine(): Promise<Engine> {
  if (!loading) {
    loading = import(/* webpackMode: "eager" */ './engine.js')
    // Started early and awaited later: a failure surfaces at that await, not as unhandled.
    loading.catch(() => undefined)
  }
  return loading
}
