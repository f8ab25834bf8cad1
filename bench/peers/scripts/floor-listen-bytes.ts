// Floor peer, the least a JS proxy on Bun can do per request: Bun.listen downstream, one
// Bun.connect upstream connection per downstream connection, the request head re-written from its
// parsed fields (plus an x-request-id, as edgeway adds one) and the upstream's response bytes
// copied back as they arrive (content-length framing only). No Request, Headers or Response on
// either side, no pool, routing, stats or logs: what a byte-level proxy core would start from.

import type { Socket } from 'bun'
import { BAD_REQUEST, concat, headEnd, readRequestHead, WriteQueue } from './floor-head.ts'

type Downstream = { buffered: Uint8Array | undefined; out: WriteQueue; upstream: Socket<Upstream> | undefined; waiting: Uint8Array[] }
type Upstream = { downstream: Socket<Downstream>; out: WriteQueue | undefined; bodyLeft: number; partialHead: Uint8Array | undefined }

const UPSTREAM_PORT = Number(process.env.UPSTREAM_PORT)
const encoder = new TextEncoder()
const latin1 = new TextDecoder('latin1')

function contentLength(head: Uint8Array): number {
  const text = latin1.decode(head).toLowerCase()
  const at = text.indexOf('\r\ncontent-length:')
  return at < 0 ? 0 : Number.parseInt(text.slice(at + 17, text.indexOf('\r', at + 17)).trim(), 10)
}

const upstreamHandler = {
  open(socket: Socket<Upstream>) {
    const down = socket.data.downstream
    down.data.upstream = socket
    socket.data.out = new WriteQueue(socket)
    for (const bytes of down.data.waiting) socket.data.out.write(bytes)
    down.data.waiting = []
  },
  data(socket: Socket<Upstream>, chunk: Uint8Array) {
    const state = socket.data
    let bytes = chunk
    if (state.bodyLeft < 0) {
      // A new response: its head may come in pieces.
      bytes = concat(state.partialHead, chunk)
      const end = headEnd(bytes, 0)
      if (end < 0) return void (state.partialHead = bytes)
      state.partialHead = undefined
      state.bodyLeft = contentLength(bytes.subarray(0, end)) - (bytes.byteLength - end)
    } else state.bodyLeft -= bytes.byteLength
    state.downstream.data.out.write(bytes)
    if (state.bodyLeft <= 0) state.bodyLeft = -1
  },
  drain(socket: Socket<Upstream>) {
    socket.data.out?.drain()
  },
  close(socket: Socket<Upstream>) {
    socket.data.downstream.end()
  },
}

Bun.listen<Downstream>({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  socket: {
    open(socket) {
      socket.data = { buffered: undefined, out: new WriteQueue(socket), upstream: undefined, waiting: [] }
      void Bun.connect<Upstream>({ hostname: '127.0.0.1', port: UPSTREAM_PORT, data: { downstream: socket, out: undefined, bodyLeft: -1, partialHead: undefined }, socket: upstreamHandler }).catch(() => socket.end())
    },
    data(socket, chunk) {
      const state = socket.data
      state.buffered = concat(state.buffered, chunk)
      while (state.buffered) {
        const head = readRequestHead(state.buffered)
        if (head === 'bad') return void socket.end(BAD_REQUEST)
        if (!head) return
        state.buffered = head.length === state.buffered.byteLength ? undefined : state.buffered.subarray(head.length)
        let text = `${head.method} ${head.target} HTTP/1.1\r\n`
        for (let i = 0; i < head.names.length; i++) text += `${head.names[i]}: ${head.values[i]}\r\n`
        const bytes = encoder.encode(`${text}x-request-id: ${crypto.randomUUID()}\r\n\r\n`)
        if (state.upstream) state.upstream.data.out!.write(bytes)
        else state.waiting.push(bytes)
      }
    },
    drain(socket) {
      socket.data.out.drain()
    },
    close(socket) {
      socket.data.upstream?.end()
    },
  },
})
