// The TLS peers of the protocol rows: nginx with `listen ssl http2` and edgeway with a TLS listener
// (ALPN h2 and http/1.1), both on the repository's demo certificate and the shared bench upstream,
// so wrk over https and h2load (ALPN h2) reach the same two ports.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { DENO_RUN } from '../peers/edgeway.ts'
import { nginxConfig } from '../peers/nginx.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from '../peers/peer.ts'
import { toolPath } from '../tools.ts'

export const demoCertificate = (repoDir: string) => ({ cert: join(repoDir, 'routes/certs/demo.crt'), key: join(repoDir, 'routes/certs/demo.key') })

/** The reference nginx config with its listener turned into TLS + HTTP/2 (nginx 1.22 spelling). */
export function nginxTlsConfig(dir: string, port: number, upstreamPort: number, cert: string, key: string): string {
  return nginxConfig(dir, port, upstreamPort).replace(
    `listen 127.0.0.1:${port};`,
    `listen 127.0.0.1:${port} ssl http2;\n    ssl_certificate ${cert};\n    ssl_certificate_key ${key};\n    http2_max_requests 1000000;`,
  )
}

/** One edgeway process, access log off, terminating TLS with ALPN h2 and http/1.1 (codec AUTO). */
export function edgewayTlsConfig(ports: { listenerPort: number; adminPort: number; upstreamPort: number }, cert: string, key: string): string {
  return `admin: { address: 127.0.0.1, port: ${ports.adminPort} }
listeners:
  - name: ingress_https
    address: 127.0.0.1
    port: ${ports.listenerPort}
    access_log: false
    tls:
      tls_certificates: [{ certificate_chain: { filename: ${cert} }, private_key: { filename: ${key} } }]
    virtual_hosts:
      - name: bench
        domains: ["*"]
        routes: [{ match: { prefix: /service/1 }, route: { cluster: service1 } }]
clusters:
  - name: service1
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${ports.upstreamPort} }] }
`
}

export const nginxTls: Peer = {
  name: 'nginx-tls',
  unavailable: () => (toolPath('nginx') ? undefined : 'nginx is not installed'),
  async start(context: PeerContext): Promise<RunningPeer> {
    const port = await freePort()
    const { cert, key } = demoCertificate(context.repoDir)
    mkdirSync(join(context.workDir, 'temp'), { recursive: true })
    const conf = join(context.workDir, 'nginx.conf')
    writeFileSync(conf, nginxTlsConfig(context.workDir, port, context.upstreamPort, cert, key))
    const started = context.processes.start('nginx-tls', toolPath('nginx') as string, ['-p', context.workDir, '-c', conf, '-e', join(context.workDir, 'error.log'), '-g', 'daemon off;'], {
      logFile: join(context.workDir, 'stdout.log'),
    })
    await waitForPort(port, START_TIMEOUT_MS, started.alive)
    return { port, pid: started.pid, stop: () => context.processes.stop(started) }
  },
}

export function edgewayTls(runtime: 'bun' | 'deno'): Peer {
  const name = `edgeway-${runtime}-tls`
  return {
    name,
    unavailable: () => undefined,
    async start(context: PeerContext): Promise<RunningPeer> {
      const listenerPort = await freePort()
      const adminPort = await freePort()
      const { cert, key } = demoCertificate(context.repoDir)
      const conf = join(context.workDir, 'edgeway.yaml')
      writeFileSync(conf, edgewayTlsConfig({ listenerPort, adminPort, upstreamPort: context.upstreamPort }, cert, key))
      const entry = ['src/main.ts', '-c', conf, '--concurrency', '1']
      const args = runtime === 'bun' ? entry : [...DENO_RUN, ...entry]
      const started = context.processes.start(name, join(context.repoDir, 'node_modules/.bin', runtime), args, { cwd: context.repoDir, env: { ZIPKIN_URL: '' }, logFile: join(context.workDir, 'stdout.log') })
      await waitForPort(listenerPort, START_TIMEOUT_MS, started.alive)
      await waitForPort(adminPort, START_TIMEOUT_MS, started.alive)
      return { port: listenerPort, pid: started.pid, adminPort, stop: () => context.processes.stop(started) }
    },
  }
}
