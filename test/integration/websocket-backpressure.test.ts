// A WebSocket client that stops reading while its upstream floods it: edgeway must never drop a
// message and carry on (Bun's own answer past its backpressure limit), nor buffer without bound.
// What the client gets is an unbroken prefix, then the stream's end (1013 where the runtime sends it).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { startProxy, type TestProxy } from '../support/edgeway.ts'
import { createHash } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import { RawWebSocket } from '../support/raw-websocket.ts'

const MESSAGES = 160
const MESSAGE_BYTES = 256 * 1024 // 40 MiB in all, past edgeway's 16 MiB limit and Bun's
let upstream: ReturnType<typeof Bun.serve>
const group = new ProcessGroup()

beforeAll(() => {
  // On "flood", sends MESSAGES binary messages numbered by their first four bytes.
  upstream = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: (request, server) => (server.upgrade(request, { data: undefined }) ? undefined : new Response('no upgrade', { status: 400 })),
    websocket: {
      backpressureLimit: 0,
      message(ws, message) {
        if (message !== 'flood') return
        for (let i = 0; i < MESSAGES; i++) {
          const payload = new Uint8Array(MESSAGE_BYTES)
          new DataView(payload.buffer).setUint32(0, i)
          ws.send(payload)
        }
      },
    },
  })
})

/** An upstream that completes the handshake and then never reads: the proxy's sends to it back up. */
let deaf: Server
const deafSockets: Socket[] = []
beforeAll(async () => {
  deaf = createServer((socket) => {
    deafSockets.push(socket)
    socket.once('data', (head) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(head.toString('latin1'))?.[1] ?? ''
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64')
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`)
      socket.pause()
    })
  })
  await new Promise<void>((resolve) => deaf.listen(0, '127.0.0.1', resolve))
})

afterAll(async () => {
  await group.stopAll()
  upstream.stop(true)
  for (const socket of deafSockets) socket.destroy()
  deaf.close()
})

const yaml = (port: number) => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: false
    upgrade_configs: [{ upgrade_type: websocket }]
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    connect_timeout: 1s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${port} }] }
`

async function slowConsumer(port: number, end: 'close 1013' | 'connection closed'): Promise<void> {
  const client = await RawWebSocket.open(port, '/flood')
  client.pause()
  client.send('flood')
  // Long enough for the whole flood to reach the proxy while nothing is read downstream.
  await Bun.sleep(1500)
  client.resume()
  await client.until(MESSAGES, 15_000)
  const numbers = client.dataFrames().map((f) => f.payload.readUInt32BE(0))
  const ending = client.closeFrame() === 1013 ? 'close 1013' : client.ended ? 'connection closed' : 'still open'
  client.destroy()
  // An unbroken prefix: nothing dropped in the middle.
  expect(numbers).toEqual(numbers.map((_, i) => i))
  // Bun sends the close frame after what it holds; Deno's close drops its queue and the connection ends.
  expect(ending).toBe(end)
  // Edgeway held at most its limit (plus what the kernel buffers) for the client, not the whole flood.
  expect(numbers.length).toBeLessThan(MESSAGES)
}

/** The client floods a deaf upstream: edgeway closes the client's stream with 1013 instead of buffering it all. */
async function deafUpstream(port: number, codes: readonly number[]): Promise<void> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/deaf`)
  const closed = new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)))
  await new Promise((resolve, reject) => ((socket.onopen = resolve), (socket.onerror = reject)))
  for (let i = 0; i < MESSAGES; i++) socket.send(new Uint8Array(MESSAGE_BYTES))
  const code = await Promise.race([closed, Bun.sleep(15_000).then(() => 'still open')])
  socket.close()
  expect(codes).toContain(code as number)
}

describe('an upstream that stops reading', () => {
  test('Bun: the client is closed with 1013 at the buffer limit', async () => {
    const proxy = await startProxy(yaml((deaf.address() as { port: number }).port))
    try {
      await deafUpstream(Number(new URL(proxy.url('ingress_http')).port), [1013])
    } finally {
      await proxy.stop()
    }
  }, 30_000)

  test('Deno: the client\'s stream is ended at the buffer limit', async () => {
    const deno = await group.proxy('deno-ws-deaf', yaml((deaf.address() as { port: number }).port), {}, { runtime: 'deno' })
    // Deno's server socket, still receiving the flood, ends without sending its close frame (1006).
    await deafUpstream(deno.port('ingress_http'), [1013, 1006])
  }, 40_000)
})

describe('a WebSocket client that stops reading', () => {
  let proxy: TestProxy
  beforeAll(async () => {
    proxy = await startProxy(yaml(upstream.port!))
  })
  afterAll(() => proxy?.stop())

  test('Bun: an unbroken prefix, then 1013 at the buffer limit; nothing dropped silently', async () => {
    await slowConsumer(Number(new URL(proxy.url('ingress_http')).port), 'close 1013')
  }, 30_000)

  test('Deno: an unbroken prefix, then the connection closes at the buffer limit', async () => {
    const deno = await group.proxy('deno-ws-backpressure', yaml(upstream.port!), {}, { runtime: 'deno' })
    await slowConsumer(deno.port('ingress_http'), 'connection closed')
  }, 40_000)
})
