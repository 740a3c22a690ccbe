/** moto's STS server as a second, independent peer: started on 127.0.0.1, stops by itself. */
import { spawn, spawnSync } from 'node:child_process'
import { freePort } from './free-port.js'
import { requirePeer } from './peers.js'

/** False (with a warning) when moto_server is missing; under CI=true, importing this throws. */
export const motoAvailable = requirePeer(
  'moto_server',
  spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 30_000 }).status === 0,
  'the tests against moto'
)

export async function startMoto(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  // `timeout` makes the server stop by itself even if the test process dies first.
  const child = spawn('timeout', ['300', 'moto_server', '-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore'
  })
  const stop = (): void => {
    child.kill()
  }
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`${url}/moto-api/`)
      return { url, stop }
    } catch {
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
  stop()
  throw new Error('moto_server did not start within 15 s')
}
