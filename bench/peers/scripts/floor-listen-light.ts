// Floor peer, a byte-level HTTP/1.1 core as it would really be built, with JS objects in place of
// the runtime's: Bun.listen downstream, the request head parsed into a flat field array
// (floor-light-head.ts) and wrapped in the product's flat-array Headers (src/http1/
// header-snapshot.ts's HeaderSnapshot), edited there as edgeway edits a typical request
// (x-request-id, x-forwarded-proto, x-envoy-expected-rq-timeout-ms) after a route-like prefix
// check; written upstream as bytes by edgeway's client code (head-bytes.ts, its pool and response
// reader: floor-light-exchange.ts) without a Response; the response head written downstream as
// bytes from its status and fields (server, x-envoy-upstream-service-time added), Content-Length
// framing, keep-alive, a streamed body paced by the downstream socket. No stats, timers, logs,
// limits or request bodies: it serves wrk, and is never a way to serve users.
// FLOOR_LIGHT_VARIANT (measurement only, bench/README.md's light-floor section): `bare` skips the
// HeaderSnapshot and its edits, forwarding the parsed fields as they are; `response` sends through
// edgeway's client as it is (client.ts: a Response, its Headers, arrayBuffer()) instead of the
// exchange without a Response.

import type { Socket } from 'bun'
import { HeaderSnapshot } from '../../../src/http1/header-snapshot.ts'
import { bunDial } from '../../../src/adapter/bun-transport.ts'
import { createHttp1Client } from '../../../src/http1/client.ts'
import { HOP_BY_HOP_FIELDS, isToken } from '../../../src/http1/codec.ts'
import { ConnectionPool } from '../../../src/http1/connection-pool.ts'
import { requestHeadBytes } from '../../../src/http1/head-bytes.ts'
import { requestIdFor } from '../../../src/proxy/headers/request-id.ts'
import { BAD_REQUEST, concat, WriteQueue } from './floor-head.ts'
import { earlyBody, LightExchange, type BodySink } from './floor-light-exchange.ts'
import { LightRequestHead, readLightHead } from './floor-light-head.ts'

type Connection = { buffered: Uint8Array | undefined; busy: boolean; out: WriteQueue; streaming: LightExchange | undefined }

const UPSTREAM_PORT = Number(process.env.UPSTREAM_PORT)
const VARIANT = process.env.FLOOR_LIGHT_VARIANT
const BARE = VARIANT === 'bare'
const client = VARIANT === 'response' ? createHttp1Client({ dial: bunDial }) : undefined
const NO_SIGNAL = new AbortController().signal
const endpoint = { key: `127.0.0.1:${UPSTREAM_PORT}`, host: '127.0.0.1', port: UPSTREAM_PORT }
/** The bench config's routes: one prefix to one cluster of one endpoint. */
const ROUTES = [{ prefix: '/service/1', endpoint }]
const pool = new ConnectionPool({ dial: bunDial, idleTimeoutMs: 4_000, maxIdlePerEndpoint: 256, now: () => performance.now() })
const encoder = new TextEncoder()
const HEAD = new LightRequestHead()
/** As the client's request writer (src/http1/request-writer.ts): bodies up to this size share the head's write. */
const COALESCE_BYTES = 16 * 1024
const NOT_FOUND = encoder.encode('HTTP/1.1 404 Not Found\r\nserver: edgeway\r\ncontent-length: 0\r\n\r\n')
const UNAVAILABLE = encoder.encode('HTTP/1.1 503 Service Unavailable\r\nserver: edgeway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n')

function routeOf(target: string): (typeof ROUTES)[number] | undefined {
  for (const route of ROUTES) if (target.startsWith(route.prefix)) return route
  return undefined
}

/** Latin-1 text into `out` at 0, `then` after it: encodeInto for ASCII, a byte loop when obs-text made it longer. */
function headWith(text: string, then: Uint8Array | null): Uint8Array {
  const out = new Uint8Array(text.length + (then?.byteLength ?? 0))
  const { read, written } = encoder.encodeInto(text, out)
  if (read !== text.length || written !== text.length) for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  if (then) out.set(then, text.length)
  return out
}

/** The response head as edgeway's downstream-response phase would write it. `length`: the body's, when the upstream did not frame it by one. */
function responseHead(exchange: LightExchange, startedMs: number, length: number, close: boolean): string {
  let text = `HTTP/1.1 ${exchange.status} ${exchange.statusText}\r\n`
  const fields = exchange.fields
  const hopByHop = exchange.hopByHop
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!
    // Envoy replaces the upstream's server field with its own.
    if (name === 'server' || (hopByHop && HOP_BY_HOP_FIELDS.has(name))) continue
    text += `${name}: ${fields[i + 1]!}\r\n`
  }
  text += `server: edgeway\r\nx-envoy-upstream-service-time: ${Math.round(performance.now() - startedMs)}\r\n`
  if (length >= 0) text += `content-length: ${length}\r\n`
  return close ? `${text}connection: close\r\n\r\n` : `${text}\r\n`
}

/** The body of a response the upstream framed by chunks or close: gathered, then sent with a length. */
function gathered(socket: Socket<Connection>, exchange: LightExchange, startedMs: number, close: boolean, done: () => void): BodySink {
  const pieces: Uint8Array[] = []
  return {
    chunk: (bytes) => (pieces.push(bytes), true),
    end: () => {
      const body = pieces.length === 0 ? new Uint8Array(0) : pieces.reduce(concat)
      socket.data.out.write(headWith(responseHead(exchange, startedMs, body.byteLength, close), body))
      done()
    },
    fail: () => socket.end(),
  }
}

function forward(socket: Socket<Connection>, head: LightRequestHead): Promise<void> | void {
  const startedMs = performance.now()
  const { method, target, close } = head
  const route = routeOf(target)
  if (!route) return void socket.data.out.write(NOT_FOUND)
  let fields: { forEach: LightRequestHead['forEach'] } = head
  if (!BARE) {
    const headers = new HeaderSnapshot(head as unknown as Headers)
    // What edgeway does with hop-by-hop fields on arrival: deleted before forwarding, with what Connection lists.
    if (head.hopByHop) {
      for (const listed of (headers.get('connection') ?? '').split(',')) {
        const name = listed.trim()
        if (isToken(name)) headers.delete(name)
      }
      for (const name of HOP_BY_HOP_FIELDS) headers.delete(name)
    }
    headers.set('x-request-id', requestIdFor(headers.get('x-request-id'), true)!)
    headers.set('x-forwarded-proto', 'http')
    headers.set('x-envoy-expected-rq-timeout-ms', '15000')
    fields = headers
  }
  if (client) return viaResponse(socket, method, target, route.endpoint.key, fields as unknown as Headers, startedMs, close)
  const bytes = requestHeadBytes(method, target, route.endpoint.key, fields as unknown as Headers, 'none')
  return new LightExchange(pool, route.endpoint, method, bytes).send().then((exchange) => respond(socket, exchange, startedMs, close))
}

/** The `response` variant: the client's Response read whole, its head written from its Headers. */
async function viaResponse(socket: Socket<Connection>, method: string, target: string, key: string, headers: Headers, startedMs: number, close: boolean): Promise<void> {
  const response = await client!.fetch({ url: `http://${key}${target}`, method, headers, body: null, signal: NO_SIGNAL })
  const body = new Uint8Array(await response.arrayBuffer())
  let text = `HTTP/1.1 ${response.status} ${response.statusText || 'OK'}\r\n`
  response.headers.forEach((value, name) => {
    if (name !== 'server' && name !== 'content-length' && name !== 'connection') text += `${name}: ${value}\r\n`
  })
  text += `server: edgeway\r\nx-envoy-upstream-service-time: ${Math.round(performance.now() - startedMs)}\r\ncontent-length: ${body.byteLength}\r\n`
  socket.data.out.write(headWith(close ? `${text}connection: close\r\n\r\n` : `${text}\r\n`, body))
}

/** Resolves when the whole response has been handed to the downstream socket. */
function respond(socket: Socket<Connection>, exchange: LightExchange, startedMs: number, close: boolean): Promise<void> | void {
  const out = socket.data.out
  if (exchange.length < 0 && !exchange.done) {
    return new Promise<void>((done) => {
      exchange.sink = gathered(socket, exchange, startedMs, close, done)
      const early = earlyBody(exchange)
      if (early) exchange.sink.chunk(early)
    })
  }
  const early = earlyBody(exchange)
  const length = exchange.length < 0 ? (early?.byteLength ?? 0) : -1
  const text = responseHead(exchange, startedMs, length, close)
  // A small body leaves in the head's buffer; a large one as it came (copying 1 MiB behind the head cost ~100 µs).
  if (early !== null && early.byteLength > COALESCE_BYTES) {
    out.write(headWith(text, null))
    out.write(early)
  } else out.write(headWith(text, early))
  if (exchange.done) return
  // A body still arriving: each piece handed on as it comes, the upstream paused while the downstream is behind.
  socket.data.streaming = exchange
  return new Promise<void>((done, fail) => {
    exchange.sink = {
      chunk: (piece) => out.write(piece),
      end: () => {
        socket.data.streaming = undefined
        done()
      },
      fail,
    }
  })
}

// One request at a time per connection (wrk does not pipeline); the next head waits in `buffered`.
function next(socket: Socket<Connection>): void {
  const state = socket.data
  while (!state.busy && state.buffered) {
    const head = readLightHead(state.buffered, HEAD)
    if (head === 'bad') return void socket.end(BAD_REQUEST)
    if (!head) return
    state.buffered = head.length === state.buffered.byteLength ? undefined : state.buffered.subarray(head.length)
    const close = head.close
    const pending = forward(socket, head)
    if (close) {
      state.busy = true
      if (pending) pending.then(() => socket.end(), () => socket.end(UNAVAILABLE))
      else socket.end()
      return
    }
    if (!pending) continue
    state.busy = true
    pending.then(
      () => {
        state.busy = false
        next(socket)
      },
      () => socket.end(UNAVAILABLE),
    )
  }
}

Bun.listen<Connection>({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  socket: {
    open(socket) {
      socket.data = { buffered: undefined, busy: false, out: new WriteQueue(socket), streaming: undefined }
    },
    data(socket, chunk) {
      socket.data.buffered = concat(socket.data.buffered, chunk)
      next(socket)
    },
    drain(socket) {
      if (socket.data.out.drain()) socket.data.streaming?.resume()
    },
  },
})
