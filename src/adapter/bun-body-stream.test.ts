// The streamed-body contract (src/http1/body-stream.ts), run against both streams the Bun adapter
// can hand the HTTP/1.1 client: the standard queued one and Bun's direct one (bun-body-stream.ts).
// Real sockets on every side: a raw upstream, the client on Bun sockets, Bun.serve handing the
// client's Response on as the proxy does, and a raw downstream that can read slowly or leave.

import { afterEach, describe, expect, test } from 'bun:test'
import type { Socket, TCPSocketListener } from 'bun'
import { queuedBodyStream, type BodyStreams } from '../http1/body-stream.ts'
import { createHttp1Client, type Http1Client } from '../http1/client.ts'
import type { Transport } from '../http1/transport.ts'
import { UpstreamError } from '../http1/upstream-error.ts'
import { bodyEndOf } from '../upstream/body-end.ts'
import { bunDirectBodyStream } from './bun-body-stream.ts'
import { bunDial } from './bun-transport.ts'

type Ended = { bytes: number; failure: unknown; cancelled: boolean }
type Upstream = { port: number; sockets: Socket<undefined>[]; closed: () => number; stop(): void }

const MiB = 1024 * 1024
const patterned = (length: number) => {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = i % 251
  return bytes
}

/** A raw upstream: `answer` gets each request's socket once its head has arrived. */
function startUpstream(answer: (socket: Socket<undefined>) => void): Upstream {
  const sockets: Socket<undefined>[] = []
  let closed = 0
  const listener: TCPSocketListener<undefined> = Bun.listen<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open: (socket) => void sockets.push(socket),
      data: (socket, data) => {
        if (Buffer.from(data).includes('\r\n\r\n')) answer(socket)
      },
      close: () => void closed++,
      error: () => {},
    },
  })
  return { port: listener.port, sockets, closed: () => closed, stop: () => listener.stop(true) }
}

/** Writes all of `bytes`, waiting for the kernel as needed; resolves when written or the socket closed. */
async function writeAll(socket: Socket<undefined>, bytes: Uint8Array): Promise<void> {
  let offset = 0
  while (offset < bytes.byteLength && socket.readyState === 1) {
    const written = socket.write(bytes.subarray(offset))
    if (written > 0) offset += written
    else await Bun.sleep(1)
  }
}

const head = (length: number) => Buffer.from(`HTTP/1.1 200 OK\r\ncontent-length: ${length}\r\n\r\n`)

/** A GET through `client` to the upstream on `port`. */
const get = (client: Http1Client, port: number) => client.fetch({ url: `http://127.0.0.1:${port}/`, method: 'GET', headers: new Headers({ host: 'up' }), body: null, signal: new AbortController().signal })

/** Every end the response's body reports, as it reports them. */
function endsOf(response: Response): Ended[] {
  const ends: Ended[] = []
  bodyEndOf(response)!.listen((bytes, failure, cancelled) => ends.push({ bytes, failure, cancelled }))
  return ends
}

/** A client whose transports record their pauses and resumes. */
function instrumentedClient(streams: BodyStreams) {
  const seen = { pauses: 0, resumes: 0, transports: [] as Transport[] }
  const client = createHttp1Client({
    bodyStreams: streams,
    dial: async (host, port, handshakes) => {
      const transport = await bunDial(host, port, handshakes)
      const pause = transport.pause.bind(transport)
      const resume = transport.resume.bind(transport)
      transport.pause = () => (seen.pauses++, pause())
      transport.resume = () => (seen.resumes++, resume())
      seen.transports.push(transport)
      return transport
    },
  })
  return { client, seen }
}

/** Bun.serve handing the client's Response on as the proxy does; each body's end is recorded. */
function startProxy(client: Http1Client, upstreamPort: number) {
  const ends: Ended[] = []
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async () => {
      const response = await client.fetch({ url: `http://127.0.0.1:${upstreamPort}/`, method: 'GET', headers: new Headers({ host: 'up' }), body: null, signal: new AbortController().signal })
      bodyEndOf(response)!.listen((bytes, failure, cancelled) => ends.push({ bytes, failure, cancelled }))
      return response
    },
  })
  return { port: server.port!, ends, stop: () => server.stop(true) }
}

/** A raw downstream client: what it has received after the head, and the socket to pause or drop. */
async function downstream(port: number) {
  const state = { received: [] as Uint8Array[], bodyBytes: 0, headSeen: false, chunked: false, closed: false, socket: undefined as Socket<undefined> | undefined }
  let headBuffer = Buffer.alloc(0)
  state.socket = await Bun.connect<undefined>({
    hostname: '127.0.0.1',
    port,
    socket: {
      data: (_socket, data) => {
        if (state.headSeen) {
          state.received.push(new Uint8Array(data))
          state.bodyBytes += data.byteLength
          return
        }
        headBuffer = Buffer.concat([headBuffer, data])
        const at = headBuffer.indexOf('\r\n\r\n')
        if (at < 0) return
        state.headSeen = true
        state.chunked = /^transfer-encoding: *chunked/im.test(headBuffer.subarray(0, at).toString('latin1'))
        const rest = headBuffer.subarray(at + 4)
        state.received.push(new Uint8Array(rest))
        state.bodyBytes += rest.byteLength
      },
      close: () => void (state.closed = true),
      error: () => {},
    },
  })
  state.socket.write('GET / HTTP/1.1\r\nhost: proxy\r\n\r\n')
  return state
}

/** The body the downstream received, its chunked framing (Bun.serve's choice for a stream) removed. */
function bodyOf(down: { received: Uint8Array[]; chunked: boolean }): Buffer {
  const raw = Buffer.concat(down.received)
  if (!down.chunked) return raw
  const pieces: Buffer[] = []
  for (let at = 0; ; ) {
    const line = raw.indexOf('\r\n', at)
    const size = parseInt(raw.subarray(at, line).toString('latin1'), 16)
    if (!(size > 0)) return Buffer.concat(pieces)
    pieces.push(raw.subarray(line + 2, line + 2 + size))
    at = line + 2 + size + 2
  }
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!what()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await Bun.sleep(2)
  }
}

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

const kinds: [string, BodyStreams][] = [
  ['queued (standard ReadableStream)', queuedBodyStream],
  ['Bun direct stream', bunDirectBodyStream],
]

describe.each(kinds)('streamed response body through Bun.serve: %s', (_name, streams) => {
  test('4 MiB arrive intact and in order; the end is reported once, with every byte', async () => {
    const body = patterned(4 * MiB)
    const upstream = startUpstream((socket) => void writeAll(socket, Buffer.concat([head(body.byteLength), body])))
    const { client } = instrumentedClient(streams)
    const proxy = startProxy(client, upstream.port)
    cleanups.push(upstream.stop, proxy.stop, client.close)
    const down = await downstream(proxy.port)
    await until(() => down.bodyBytes >= body.byteLength && proxy.ends.length > 0)
    expect(bodyOf(down).equals(Buffer.from(body))).toBe(true)
    expect(proxy.ends).toEqual([{ bytes: body.byteLength, failure: undefined, cancelled: false }])
  })

  test('a downstream that stops reading pauses the upstream connection; reading again resumes it, intact', async () => {
    const body = patterned(48 * MiB)
    let upstreamDone = false
    const upstream = startUpstream((socket) => void writeAll(socket, Buffer.concat([head(body.byteLength), body])).then(() => (upstreamDone = true)))
    const { client, seen } = instrumentedClient(streams)
    const proxy = startProxy(client, upstream.port)
    cleanups.push(upstream.stop, proxy.stop, client.close)
    const down = await downstream(proxy.port)
    await until(() => down.headSeen)
    down.socket!.pause()
    await until(() => seen.pauses > 0)
    const before = down.bodyBytes
    await Bun.sleep(200)
    // Paused: the upstream cannot have written the whole body, and nothing ended.
    expect(upstreamDone).toBe(false)
    expect(proxy.ends).toEqual([])
    down.socket!.resume()
    await until(() => down.bodyBytes >= body.byteLength && proxy.ends.length > 0, 20_000)
    expect(before).toBeLessThan(body.byteLength)
    expect(seen.resumes).toBeGreaterThan(0)
    expect(bodyOf(down).equals(Buffer.from(body))).toBe(true)
    expect(proxy.ends).toEqual([{ bytes: body.byteLength, failure: undefined, cancelled: false }])
  }, 30_000)

  test('the downstream leaving mid-body: reported as cancelled with the bytes taken, and the upstream connection dropped', async () => {
    const body = patterned(64 * MiB)
    const upstream = startUpstream((socket) => void writeAll(socket, Buffer.concat([head(body.byteLength), body])))
    const { client, seen } = instrumentedClient(streams)
    const proxy = startProxy(client, upstream.port)
    cleanups.push(upstream.stop, proxy.stop, client.close)
    const down = await downstream(proxy.port)
    await until(() => down.bodyBytes > 256 * 1024)
    down.socket!.terminate()
    await until(() => proxy.ends.length > 0 && upstream.closed() > 0)
    const [end] = proxy.ends
    expect([end!.failure, end!.cancelled]).toEqual([undefined, true])
    expect(end!.bytes).toBeGreaterThan(0)
    expect(end!.bytes).toBeLessThan(body.byteLength)
    expect(seen.transports[0]!.closed).toBe(true)
    expect(client.idleConnections()).toBe(0)
  }, 20_000)

  test('the upstream resetting mid-body: the downstream connection is cut short, reported as a failure with the bytes taken', async () => {
    const upstream = startUpstream((socket) => {
      socket.write(head(8 * MiB))
      void writeAll(socket, patterned(300 * 1024)).then(() => setTimeout(() => socket.terminate(), 30))
    })
    const { client } = instrumentedClient(streams)
    const proxy = startProxy(client, upstream.port)
    cleanups.push(upstream.stop, proxy.stop, client.close)
    const down = await downstream(proxy.port)
    await until(() => down.closed && proxy.ends.length > 0)
    expect(down.bodyBytes).toBeLessThan(8 * MiB)
    const [end] = proxy.ends
    expect([end!.failure instanceof UpstreamError, end!.cancelled]).toEqual([true, false])
    expect(end!.bytes).toBe(300 * 1024)
  })

  test('a reset before the server read anything still errors the body (no pull has happened yet)', async () => {
    const upstream = startUpstream((socket) => {
      socket.write(Buffer.concat([head(1000), Buffer.from('partial')]))
      socket.terminate()
    })
    const { client } = instrumentedClient(streams)
    cleanups.push(upstream.stop, client.close)
    const response = await get(client, upstream.port)
    await Bun.sleep(20)
    expect(await response.arrayBuffer().then(() => 'read', () => 'failed')).toBe('failed')
  })
})

describe.each(kinds)('streamed response body read from JS: %s', (_name, streams) => {
  test('a slow reader gets 8 MiB intact, the transport paused and resumed; the end comes with the last read', async () => {
    const body = patterned(8 * MiB)
    const upstream = startUpstream((socket) => void writeAll(socket, Buffer.concat([head(body.byteLength), body])))
    const { client, seen } = instrumentedClient(streams)
    cleanups.push(upstream.stop, client.close)
    const response = await get(client, upstream.port)
    const ends = endsOf(response)
    const reader = response.body!.getReader()
    const parts: Uint8Array[] = []
    let read = 0
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      parts.push(r.value)
      read += r.value.byteLength
      // Not ended while bytes are still to come to this reader.
      if (read < body.byteLength) expect(ends).toEqual([])
      if (parts.length % 8 === 0) await Bun.sleep(1)
    }
    expect(Buffer.concat(parts).equals(Buffer.from(body))).toBe(true)
    expect(seen.pauses).toBeGreaterThan(0)
    expect(seen.resumes).toBeGreaterThan(0)
    expect(ends).toEqual([{ bytes: body.byteLength, failure: undefined, cancelled: false }])
  }, 20_000)

  test('bytes that arrived while no read waited are taken by the next read: the end is reported only then', async () => {
    let upstreamSocket: Socket<undefined> | undefined
    const upstream = startUpstream((socket) => {
      upstreamSocket = socket
      socket.write(Buffer.concat([head(10), Buffer.from('hel')]))
    })
    const { client } = instrumentedClient(streams)
    cleanups.push(upstream.stop, client.close)
    const response = await get(client, upstream.port)
    const ends = endsOf(response)
    const reader = response.body!.getReader()
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('hel')
    // A read waiting on an empty body gets the next bytes as they come.
    const waiting = reader.read()
    await Bun.sleep(10)
    upstreamSocket!.write('lo')
    expect(Buffer.from((await waiting).value!).toString()).toBe('lo')
    // The rest arrives while no read waits: the body is complete, its reader has not taken it yet.
    upstreamSocket!.write('world')
    await Bun.sleep(30)
    expect(ends).toEqual([])
    expect(Buffer.from((await reader.read()).value!).toString()).toBe('world')
    expect((await reader.read()).done).toBe(true)
    expect(ends).toEqual([{ bytes: 10, failure: undefined, cancelled: false }])
  })

  test('a reader that cancels: reported as cancelled with the bytes it read; the connection is dropped', async () => {
    const upstream = startUpstream((socket) => socket.write(Buffer.concat([head(100), Buffer.from('hello')])))
    const { client, seen } = instrumentedClient(streams)
    cleanups.push(upstream.stop, client.close)
    const response = await get(client, upstream.port)
    const ends = endsOf(response)
    const reader = response.body!.getReader()
    expect((await reader.read()).value!.byteLength).toBe(5)
    await reader.cancel()
    expect(ends).toEqual([{ bytes: 5, failure: undefined, cancelled: true }])
    expect(seen.transports[0]!.closed).toBe(true)
  })

  test('text() and arrayBuffer() read the whole body', async () => {
    const body = patterned(3 * MiB + 17)
    const upstream = startUpstream((socket) => void writeAll(socket, Buffer.concat([head(body.byteLength), body])))
    const { client } = instrumentedClient(streams)
    cleanups.push(upstream.stop, client.close)
    const fetchOne = () => get(client, upstream.port)
    const whole = new Uint8Array(await (await fetchOne()).arrayBuffer())
    expect(Buffer.from(whole).equals(Buffer.from(body))).toBe(true)
    const text = await (await fetchOne()).text()
    expect(text.length).toBeGreaterThan(0)
    const response = await fetchOne()
    const ends = endsOf(response)
    expect((await response.arrayBuffer()).byteLength).toBe(body.byteLength)
    expect(ends).toEqual([{ bytes: body.byteLength, failure: undefined, cancelled: false }])
  })
})
