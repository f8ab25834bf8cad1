// The WebSocket rows: messages/s echoed through edgeway (a plain listener with upgrade_configs)
// against the same client talking to the echo upstream directly.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type PeerContext, type RunningPeer } from '../peers/peer.ts'

export interface WsResult {
  readonly messagesPerS: number
  readonly errors: number
}

export function wsEdgewayConfig(ports: { listenerPort: number; adminPort: number; echoPort: number }): string {
  return `admin: { address: 127.0.0.1, port: ${ports.adminPort} }
listeners:
  - name: ingress_ws
    address: 127.0.0.1
    port: ${ports.listenerPort}
    access_log: false
    upgrade_configs: [{ upgrade_type: websocket }]
    virtual_hosts:
      - name: bench
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: echo } }]
clusters:
  - name: echo
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${ports.echoPort} }] }
`
}

/** Starts the echo upstream; `stop` ends it by PID. */
export async function startEcho(context: PeerContext): Promise<{ port: number; stop(): Promise<void> }> {
  const port = await freePort()
  const started = context.processes.start('ws-echo', join(context.repoDir, 'node_modules/.bin/bun'), [join(context.repoDir, 'bench/protocols/ws-echo.ts')], { env: { PORT: String(port) }, logFile: join(context.workDir, 'ws-echo.log') })
  await waitForPort(port, START_TIMEOUT_MS, started.alive)
  return { port, stop: () => context.processes.stop(started) }
}

export async function startWsEdgeway(context: PeerContext, echoPort: number): Promise<RunningPeer> {
  const listenerPort = await freePort()
  const adminPort = await freePort()
  const conf = join(context.workDir, 'edgeway-ws.yaml')
  writeFileSync(conf, wsEdgewayConfig({ listenerPort, adminPort, echoPort }))
  const started = context.processes.start('edgeway-bun-ws', join(context.repoDir, 'node_modules/.bin/bun'), ['src/main.ts', '-c', conf, '--concurrency', '1'], {
    cwd: context.repoDir,
    env: { ZIPKIN_URL: '' },
    logFile: join(context.workDir, 'edgeway-ws.log'),
  })
  await waitForPort(listenerPort, START_TIMEOUT_MS, started.alive)
  return { port: listenerPort, pid: started.pid, adminPort, stop: () => context.processes.stop(started) }
}

export function parseWsClient(line: string): WsResult {
  const result = JSON.parse(line.trim().split('\n').at(-1) ?? '') as { messages: number; seconds: number; errors: number }
  if (typeof result.messages !== 'number' || !(result.seconds > 0)) throw new Error(`unexpected ws-client output: ${line}`)
  return { messagesPerS: result.messages / result.seconds, errors: result.errors }
}

/** Runs bench/protocols/ws-client.ts (bounded by `seconds` plus a 2 s grace per connection). */
export function runWsClient(repoDir: string, url: string, connections: number, seconds: number, signal: AbortSignal): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoDir, 'node_modules/.bin/bun'), [join(repoDir, 'bench/protocols/ws-client.ts'), url, String(connections), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'], signal })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ws-client exited with ${code}:\n${output}`))
      try {
        resolve(parseWsClient(output))
      } catch (error) {
        reject(error)
      }
    })
  })
}
