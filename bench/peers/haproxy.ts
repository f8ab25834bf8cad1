// HAProxy as the second reference: 1 thread, http mode, keep-alive and connection reuse to the upstream, no log.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'
import { toolPath } from '../tools.ts'

// "backend" and "server" are HAProxy keywords; the section is the service1 cluster.
export function haproxyConfig(port: number, upstreamPort: number): string {
  return `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend ingress_http
  bind 127.0.0.1:${port}
  use_backend service1 if { path_beg /service/1 }
backend service1
  server endpoint1 127.0.0.1:${upstreamPort}
`
}

export const haproxy: Peer = {
  name: 'haproxy',
  unavailable: () => (toolPath('haproxy') ? undefined : 'haproxy is not installed'),
  async start(context: PeerContext): Promise<RunningPeer> {
    const port = await freePort()
    const conf = join(context.workDir, 'haproxy.cfg')
    writeFileSync(conf, haproxyConfig(port, context.upstreamPort))
    // -db: stay in the foreground, so the PID we hold is the process that serves
    const started = context.processes.start('haproxy', toolPath('haproxy') as string, ['-f', conf, '-db'], {
      logFile: join(context.workDir, 'stdout.log'),
    })
    await waitForPort(port, START_TIMEOUT_MS, started.alive)
    return { port, pid: started.pid, stop: () => context.processes.stop(started) }
  },
}
