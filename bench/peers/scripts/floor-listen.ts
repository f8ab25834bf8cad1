// Floor peers on a raw Bun.listen downstream (floor-head.ts reads the head) with edgeway's HTTP/1.1
// client upstream: `headers` builds only the Headers the client takes; `request` builds the Request
// edgeway's request path consumes today, then reads its headers. The client's Response is written
// back by hand (its body read whole: these peers serve wrk, and the 1 MiB body buffered is what
// nginx's `proxy_buffering on` does). No routing, stats, ids or logs: the cost of the objects alone.

import type { Socket } from 'bun'
import { bunDial } from '../../../src/adapter/bun-transport.ts'
import { createHttp1Client } from '../../../src/http1/client.ts'
import { BAD_GATEWAY, BAD_REQUEST, concat, readRequestHead, WriteQueue, type RequestHead } from './floor-head.ts'

type Connection = { buffered: Uint8Array | undefined; busy: boolean; out: WriteQueue }

export function serveFloor(mode: 'headers' | 'request'): void {
  const client = createHttp1Client({ dial: bunDial })
  const upstream = `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`
  const signal = new AbortController().signal
  const encoder = new TextEncoder()

  const forward = async (socket: Socket<Connection>, head: RequestHead): Promise<void> => {
    let headers = new Headers()
    for (let i = 0; i < head.names.length; i++) headers.append(head.names[i]!, head.values[i]!)
    if (mode === 'request') headers = new Request(`http://${headers.get('host') ?? 'localhost'}${head.target}`, { method: head.method, headers }).headers
    const response = await client.fetch({ url: upstream + head.target, method: head.method, headers, body: null, signal })
    const body = new Uint8Array(await response.arrayBuffer())
    let text = `HTTP/1.1 ${response.status} ${response.statusText || 'OK'}\r\n`
    response.headers.forEach((value, name) => {
      if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'connection') text += `${name}: ${value}\r\n`
    })
    socket.data.out.write(concat(encoder.encode(`${text}content-length: ${body.byteLength}\r\n\r\n`), body))
  }

  // One request at a time per connection (wrk does not pipeline); the next head waits in `buffered`.
  const next = (socket: Socket<Connection>): void => {
    const state = socket.data
    if (state.busy || !state.buffered) return
    const head = readRequestHead(state.buffered)
    if (head === 'bad') return void socket.end(BAD_REQUEST)
    if (!head) return
    state.buffered = head.length === state.buffered.byteLength ? undefined : state.buffered.subarray(head.length)
    state.busy = true
    forward(socket, head).then(
      () => {
        state.busy = false
        next(socket)
      },
      () => socket.end(BAD_GATEWAY),
    )
  }

  Bun.listen<Connection>({
    hostname: '127.0.0.1',
    port: Number(process.env.PORT),
    socket: {
      open(socket) {
        socket.data = { buffered: undefined, busy: false, out: new WriteQueue(socket) }
      },
      data(socket, chunk) {
        socket.data.buffered = concat(socket.data.buffered, chunk)
        next(socket)
      },
      drain(socket) {
        socket.data.out.drain()
      },
    },
  })
}
