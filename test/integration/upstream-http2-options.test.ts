// A cluster's http2_protocol_options through the real CLI on Bun and Deno: max_concurrent_streams
// makes the HTTP/2 client open another session when every session has that many streams (counted
// at an h2c upstream that holds its responses), and the two windows are what the client puts on the
// wire (SETTINGS_INITIAL_WINDOW_SIZE, the session's WINDOW_UPDATE), read by a raw socket upstream.

import { afterAll, describe, expect, test } from 'bun:test'
import { createServer as createH2Server, type ServerHttp2Stream } from 'node:http2'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { frontProxyYaml } from '../support/edgeway.ts'
import { eventually, ProcessGroup } from '../support/edgeway-processes.ts'

const PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'
const SETTINGS_INITIAL_WINDOW_SIZE = 0x4
const DEFAULT_WINDOW = 65_535

/** An h2c upstream that counts its sessions and answers only when the test releases the held streams. */
async function holdingUpstream() {
  let sessions = 0
  const held: ServerHttp2Stream[] = []
  const server = createH2Server()
  server.on('session', () => sessions++)
  server.on('stream', (stream) => held.push(stream as ServerHttp2Stream))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    sessions: () => sessions,
    held: () => held.length,
    release: () => {
      for (const stream of held.splice(0)) {
        stream.respond({ ':status': 200 })
        stream.end('held')
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** Reads the client's preface, SETTINGS and connection WINDOW_UPDATE off the wire, never answering. */
async function frameReader() {
  let settings: Map<number, number> | undefined
  let connectionWindowIncrement = 0
  const sockets: Socket[] = []
  const server = createTcpServer((socket) => {
    sockets.push(socket)
    let buffer = Buffer.alloc(0)
    let prefaceRead = false
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!prefaceRead) {
        if (buffer.length < PREFACE.length) return
        prefaceRead = true
        buffer = buffer.subarray(PREFACE.length)
      }
      while (buffer.length >= 9) {
        const length = buffer.readUIntBE(0, 3)
        if (buffer.length < 9 + length) return
        const [type, flags, stream] = [buffer[3]!, buffer[4]!, buffer.readUInt32BE(5) & 0x7fffffff]
        const payload = buffer.subarray(9, 9 + length)
        if (type === 0x4 && (flags & 0x1) === 0 && settings === undefined) {
          settings = new Map()
          for (let at = 0; at + 6 <= payload.length; at += 6) settings.set(payload.readUInt16BE(at), payload.readUInt32BE(at + 2))
        }
        if (type === 0x8 && stream === 0) connectionWindowIncrement += payload.readUInt32BE(0) & 0x7fffffff
        buffer = buffer.subarray(9 + length)
      }
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    seen: () => (settings ? { settings, connectionWindow: DEFAULT_WINDOW + connectionWindowIncrement } : undefined),
    stop: () => {
      for (const socket of sockets) socket.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

for (const runtime of ['bun', 'deno'] as const) {
  describe(`http2_protocol_options on ${runtime}`, () => {
    const group = new ProcessGroup()
    afterAll(() => group.stopAll())
    // One process: each worker of a primary has its own sessions.
    const yaml = (port: number, options: string) =>
      frontProxyYaml([{ address: '127.0.0.1', port }], { listener: 'access_log: false', route: 'timeout: 10s', cluster: `http2_protocol_options: ${options}` })

    test('max_concurrent_streams: 2 with 5 requests in flight: 3 sessions at the upstream; without it, one', async () => {
      const upstream = await holdingUpstream()
      try {
        const proxy = await group.proxy(`h2-streams-${runtime}`, yaml(upstream.port, '{ max_concurrent_streams: 2 }'), {}, { runtime, args: ['--concurrency', '1'] })
        const answers = Array.from({ length: 5 }, async () => (await fetch(`${proxy.url('ingress_http')}/service/1`)).status)
        await eventually('5 streams held at the upstream', async () => (upstream.held() === 5 ? true : undefined))
        expect(upstream.sessions()).toBe(3)
        upstream.release()
        expect(await Promise.all(answers)).toEqual([200, 200, 200, 200, 200])

        const unlimited = await holdingUpstream()
        try {
          const one = await group.proxy(`h2-one-session-${runtime}`, yaml(unlimited.port, '{}'), {}, { runtime, args: ['--concurrency', '1'] })
          const all = Array.from({ length: 5 }, async () => (await fetch(`${one.url('ingress_http')}/service/1`)).status)
          await eventually('5 streams held at the upstream', async () => (unlimited.held() === 5 ? true : undefined))
          expect(unlimited.sessions()).toBe(1)
          unlimited.release()
          expect(await Promise.all(all)).toEqual([200, 200, 200, 200, 200])
        } finally {
          await unlimited.stop()
        }
      } finally {
        await upstream.stop()
      }
    }, 30_000)

    test('initial_stream_window_size and initial_connection_window_size are the windows the client advertises', async () => {
      const reader = await frameReader()
      try {
        const proxy = await group.proxy(`h2-windows-${runtime}`, yaml(reader.port, '{ initial_stream_window_size: 1048576, initial_connection_window_size: 4194304 }'), {}, { runtime, args: ['--concurrency', '1'] })
        const answer = fetch(`${proxy.url('ingress_http')}/service/1`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined)
        const seen = await eventually('the client preface and its window update', async () => {
          const now = reader.seen()
          return now && now.connectionWindow > DEFAULT_WINDOW ? now : undefined
        })
        expect(seen.settings.get(SETTINGS_INITIAL_WINDOW_SIZE)).toBe(1_048_576)
        expect(seen.connectionWindow).toBe(4_194_304)
        await reader.stop()
        await answer
      } finally {
        await reader.stop()
      }
    }, 30_000)
  })
}
