import { expect } from 'vitest'

/** Run fn, which must throw an error of `kind`; return that error for its message to be checked. */
export function thrown<E extends Error>(kind: new (...args: never[]) => E, fn: () => unknown): E {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(kind)
    return error as E
  }
  throw new Error(`expected ${kind.name}, nothing was thrown`)
}
