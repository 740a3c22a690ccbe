import { afterAll, beforeAll, beforeEach } from 'vitest'
import { startDemoWorld, type DemoWorld, type StsEmulator } from './sts-emulator.js'
import type { TestIdp } from './test-idp.js'

/**
 * For a test file: start the demo world before its tests, forget requests and faults before each,
 * and close it after. The getters are valid inside tests and hooks.
 */
export function useDemoWorld(): {
  world: () => DemoWorld
  idp: () => TestIdp
  sts: () => StsEmulator
} {
  let world: DemoWorld | undefined
  beforeAll(async () => {
    world = await startDemoWorld()
  })
  afterAll(() => world?.close())
  beforeEach(() => {
    world!.emulator.reset()
    world!.emulator.clearFaults()
  })
  return { world: () => world!, idp: () => world!.idp, sts: () => world!.emulator }
}
