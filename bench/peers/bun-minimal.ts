// "bun-minimal": bench/minimal-proxy.ts, the least a Bun proxy can do per request; a reference for
// what the runtime itself costs, not a competitor.

import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'

export const bunMinimal: Peer = {
  name: 'bun-minimal',
  unavailable: () => undefined,
  async start(context: PeerContext): Promise<RunningPeer> {
    const port = await freePort()
    const started = context.processes.start('bun-minimal', join(context.repoDir, 'node_modules/.bin/bun'), [join(context.repoDir, 'bench/minimal-proxy.ts')], {
      logFile: join(context.workDir, 'stdout.log'),
      env: { PORT: String(port), UPSTREAM_PORT: String(context.upstreamPort) },
    })
    await waitForPort(port, START_TIMEOUT_MS, started.alive)
    return { port, pid: started.pid, stop: () => context.processes.stop(started) }
  },
}
