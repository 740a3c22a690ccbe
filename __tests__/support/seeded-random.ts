/** Deterministic PRNG (mulberry32): a seed replays the same sequence, for runs that must repeat. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The seed from env variable `name` (to replay a failure), or a fresh one. Tests print it when
 * they fail.
 */
export function seedFrom(name: string): number {
  const given = process.env[name]
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 32)
  const seed = Number(given)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(
      `${name} must be a whole number from 0 to 4294967295, not ${JSON.stringify(given)}.`
    )
  }
  return seed
}
