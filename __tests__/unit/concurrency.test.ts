import { describe, expect, it } from 'vitest'
import { mapWithConcurrency } from '../../src/sts/concurrency.js'

describe('mapWithConcurrency', () => {
  it('never has more than `limit` calls in flight, and keeps the input order', async () => {
    let inFlight = 0
    let peak = 0
    const results = await mapWithConcurrency([...Array(20).keys()], 4, async n => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise(resolve => setTimeout(resolve, 5 + ((n * 7) % 11)))
      inFlight--
      return n * 2
    })
    expect(peak).toBe(4)
    expect(results).toEqual([...Array(20).keys()].map(n => n * 2))
  })

  it('handles fewer items than the limit, and an empty list', async () => {
    expect(await mapWithConcurrency([1, 2], 8, n => Promise.resolve(n + 1))).toEqual([2, 3])
    expect(await mapWithConcurrency([], 8, n => Promise.resolve(n))).toEqual([])
  })
})
