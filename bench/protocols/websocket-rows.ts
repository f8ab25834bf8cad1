// The WebSocket rows: messages/s echoed through edgeway (a plain listener with upgrade_configs)
// and through what a user would pick instead (the Bun pass-through for WebSocket, http-proxy on
// Node.js), against the same client talking to the echo upstream directly; with each proxy's CPU
// per echoed message (one frame each way through it).

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type PeerContext, type RunningPeer } from '../peers/peer.ts'
import { nodeHttpProxy, scriptPeer } from '../peers/script-peer.ts'
import { cpuUsPer } from '../processes.ts'

export interface WsResult {
  readonly messages: number
  readonly messagesPerS: number
  readonly errors: number
}

export interface WsRow extends WsResult {
  readonly peer: string
  /** The proxy's CPU µs per echoed message; absent for direct. */
  readonly cpuUs?: number
}

export const bunWsRelay = scriptPeer('bun-ws-relay', 'bun', 'bun-ws-relay.ts')

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
  return { messages: result.messages, messagesPerS: result.messages / result.seconds, errors: result.errors }
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

/** direct first (the reference), then each proxy in front of one echo upstream, one run each. */
export async function runWebSocketRows(context: PeerContext & { readonly durationS: number; readonly signal: AbortSignal }, connections: number): Promise<WsRow[]> {
  for (const peer of [bunWsRelay, nodeHttpProxy]) {
    const why = peer.unavailable(context.repoDir)
    if (why) throw new Error(`WebSocket row ${peer.name}: ${why}`)
  }
  const echo = await startEcho(context)
  try {
    const behindEcho = { ...context, upstreamPort: echo.port }
    const proxies: [string, () => Promise<RunningPeer>][] = [
      ['edgeway-bun', () => startWsEdgeway(context, echo.port)],
      [bunWsRelay.name, () => bunWsRelay.start(behindEcho)],
      [`${nodeHttpProxy.name} (ws: true)`, () => nodeHttpProxy.start(behindEcho)],
    ]
    const load = (port: number) => () => runWsClient(context.repoDir, `ws://127.0.0.1:${port}/`, connections, context.durationS, context.signal)
    const rows: WsRow[] = [{ peer: 'direct', ...(await load(echo.port)()) }]
    // one proxy at a time, so each run has the box to itself
    for (const [peer, start] of proxies) {
      const proxy = await start()
      try {
        const { result, cpuUs } = await cpuUsPer(proxy.pid!, load(proxy.port), (r) => r.messages)
        rows.push({ peer, ...result, cpuUs })
      } finally {
        await proxy.stop()
      }
    }
    return rows
  } finally {
    await echo.stop()
  }
}
