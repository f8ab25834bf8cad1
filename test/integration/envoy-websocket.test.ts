// WebSocket through an Envoy-format config, on Bun and Deno: the sandbox's front proxy with the
// HCM's upgrade_configs and a route that turns the upgrade off again, through the real CLI.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import { envoyFixture } from '../support/envoy-fixture.ts'
import { ProcessGroup } from '../support/edgeway-processes.ts'

let upstream: ReturnType<typeof Bun.serve<undefined>>
const group = new ProcessGroup()

beforeAll(() => {
  upstream = Bun.serve<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request, server) {
      if (server.upgrade(request, { data: undefined })) return undefined
      return new Response('plain')
    },
    websocket: {
      message(ws, message) {
        ws.send(typeof message === 'string' ? `echo: ${message}` : message)
      },
    },
  })
})

afterAll(async () => {
  await group.stopAll()
  upstream.stop(true)
})

function configYaml(): string {
  const endpoint = [{ address: '127.0.0.1', port: upstream.port! }]
  return envoyFixture('front-proxy.yaml', { service1: endpoint, service2: endpoint }, [], (doc) => {
    const hcm = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config
    hcm.upgrade_configs = [{ upgrade_type: 'websocket' }]
    const routes = hcm.route_config.virtual_hosts[0].routes
    routes.find((r: { match: { prefix?: string } }) => r.match.prefix === '/service/2').route.upgrade_configs = [{ upgrade_type: 'websocket', enabled: { value: false } }]
  })
}

/** Echo of one text and one binary message through `url`. */
async function echo(url: string): Promise<(string | number[])[]> {
  const socket = new WebSocket(url)
  socket.binaryType = 'arraybuffer'
  const received: (string | number[])[] = []
  const done = new Promise<void>((resolve, reject) => {
    socket.onmessage = (event) => {
      received.push(typeof event.data === 'string' ? event.data : [...new Uint8Array(event.data as ArrayBuffer)])
      if (received.length === 2) resolve()
    }
    socket.onerror = () => reject(new Error(`WebSocket to ${url} failed`))
  })
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve()
    socket.onerror = () => reject(new Error(`WebSocket to ${url} did not open`))
  })
  socket.send('hello')
  socket.send(new Uint8Array([1, 2, 3]))
  await done
  socket.close()
  return received
}

/** The status line an Upgrade request gets (a raw socket: WebSocket clients hide refusals). */
function upgradeStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
    })
    socket.once('data', (chunk) => {
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(chunk.toString())?.[1]))
      socket.destroy()
    })
    socket.once('error', reject)
  })
}

for (const runtime of ['bun', 'deno'] as const) {
  describe(runtime, () => {
    test('upgrade_configs on the HCM proxies WebSocket; a route with enabled: false refuses it (403)', async () => {
      const proxy = await group.proxy(`envoy-websocket-${runtime}`, configYaml(), {}, { runtime, args: ['--concurrency', '1'] })
      expect(await echo(`ws://127.0.0.1:${proxy.port('listener_0')}/service/1`)).toEqual(['echo: hello', [1, 2, 3]])
      expect(await upgradeStatus(proxy.port('listener_0'), '/service/2')).toBe(403)
      expect(await (await fetch(`${proxy.url('listener_0')}/service/2`)).text()).toBe('plain')
    })
  })
}
