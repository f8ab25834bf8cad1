// Peers that are one script on a runtime (the Bun pass-through, Hono's proxy() on Bun and Deno,
// @fastify/http-proxy and http-proxy on Node.js): start it with PORT and UPSTREAM_PORT, wait for
// the port, stop by PID.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'

type ScriptRuntime = 'bun' | 'deno' | 'node'

function command(runtime: ScriptRuntime, repoDir: string, script: string): [string, string[]] {
  if (runtime === 'node') return [process.env.NODE ?? 'node', [script]]
  if (runtime === 'deno') return [join(repoDir, 'node_modules/.bin/deno'), ['run', '-A', script]]
  return [join(repoDir, 'node_modules/.bin/bun'), [script]]
}

export function scriptPeer(name: string, runtime: ScriptRuntime, script: string, needs: readonly string[] = []): Peer {
  return {
    name,
    unavailable: (repoDir) => needs.map((pkg) => (existsSync(join(repoDir, 'node_modules', pkg)) ? undefined : `npm package ${pkg} missing: npm ci`)).find(Boolean),
    async start(context: PeerContext): Promise<RunningPeer> {
      const port = await freePort()
      const [bin, args] = command(runtime, context.repoDir, join(context.repoDir, 'bench/peers/scripts', script))
      const started = context.processes.start(name, bin, args, {
        logFile: join(context.workDir, 'stdout.log'),
        env: { PORT: String(port), UPSTREAM_PORT: String(context.upstreamPort) },
      })
      await waitForPort(port, START_TIMEOUT_MS, started.alive)
      return { port, pid: started.pid, stop: () => context.processes.stop(started) }
    },
  }
}

export const bunPassthrough = scriptPeer('bun-passthrough', 'bun', 'bun-passthrough.ts')
export const honoProxyBun = scriptPeer('hono-proxy-bun', 'bun', 'hono-proxy.ts', ['hono'])
export const honoProxyDeno = scriptPeer('hono-proxy-deno', 'deno', 'hono-proxy.ts', ['hono'])
export const fastifyHttpProxy = scriptPeer('fastify-http-proxy', 'node', 'fastify-http-proxy.mjs', ['fastify', '@fastify/http-proxy'])
export const nodeHttpProxy = scriptPeer('http-proxy', 'node', 'http-proxy.mjs', ['http-proxy'])

// The floors under the pass-through (bench/README.md "How low a Bun proxy can go"): not in a full
// run, name them with --peers.
export const floorPeers = [
  scriptPeer('floor-serve-client', 'bun', 'floor-serve-client.ts'),
  scriptPeer('floor-listen-headers', 'bun', 'floor-listen-headers.ts'),
  scriptPeer('floor-listen-request', 'bun', 'floor-listen-request.ts'),
  scriptPeer('floor-listen-bytes', 'bun', 'floor-listen-bytes.ts'),
  scriptPeer('floor-listen-light', 'bun', 'floor-listen-light.ts'),
  scriptPeer('floor-deno-serve-client', 'deno', 'floor-deno-serve-client.ts'),
  scriptPeer('floor-deno-bytes', 'deno', 'floor-deno-bytes.ts'),
]
