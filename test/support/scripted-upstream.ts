// A raw HTTP/1.1 upstream whose every reply is scripted byte for byte, for what a framework
// server cannot do: close a kept-alive connection on purpose, cut a body short, lie about lengths.
// It also checks that a client never pipelines (a second request before the first was answered).

import net from 'node:net'

export type ScriptedRequest = {
  readonly head: string
  readonly body: Uint8Array
  /** 1-based number of the connection, and of the request on that connection. */
  readonly connection: number
  readonly onConnection: number
}

export type Script = (request: ScriptedRequest, socket: net.Socket) => void

export type ScriptedUpstream = {
  readonly port: number
  connections(): number
  requests(): ScriptedRequest[]
  /** Requests that arrived on a connection still waiting for its previous response. */
  pipelined(): number
  /** Every byte received on connection `n` (1-based), parsed into requests or not: smuggled tails show here. */
  received(connection: number): Buffer
  stop(): Promise<void>
}

/** The script must call `answered(socket)` (or close the socket) once a response is fully written. */
export async function startScriptedUpstream(script: Script): Promise<ScriptedUpstream> {
  let connections = 0
  let pipelined = 0
  const requests: ScriptedRequest[] = []
  const raw: Buffer[] = []
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    const connection = ++connections
    let onConnection = 0
    let buffered = Buffer.alloc(0)
    raw[connection] = Buffer.alloc(0)
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', (data: Buffer) => {
      raw[connection] = Buffer.concat([raw[connection]!, data])
      buffered = Buffer.concat([buffered, data])
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffered.subarray(0, end).toString('latin1')
        const body = requestBody(head, buffered.subarray(end + 4))
        if (!body) return
        buffered = buffered.subarray(end + 4 + body.consumed)
        if (pending.has(socket)) pipelined++
        pending.add(socket)
        const request = { head, body: body.bytes, connection, onConnection: ++onConnection }
        requests.push(request)
        script(request, socket)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    requests: () => requests,
    pipelined: () => pipelined,
    received: (connection) => raw[connection] ?? Buffer.alloc(0),
    stop: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

const pending = new WeakSet<net.Socket>()

export function answered(socket: net.Socket): void {
  pending.delete(socket)
}

/** Writes a complete response and marks the request answered. */
export function reply(socket: net.Socket, response: string | Uint8Array): void {
  answered(socket)
  socket.write(response)
}

function requestBody(head: string, rest: Buffer): { bytes: Uint8Array; consumed: number } | undefined {
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)
  if (length) {
    const n = Number(length[1])
    return rest.byteLength < n ? undefined : { bytes: rest.subarray(0, n), consumed: n }
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return { bytes: new Uint8Array(0), consumed: 0 }
  const parts: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', offset)
    if (lineEnd < 0) return undefined
    const size = parseInt(rest.subarray(offset, lineEnd).toString(), 16)
    if (rest.byteLength < lineEnd + 2 + size + 2) return undefined
    if (size === 0) return { bytes: Buffer.concat(parts), consumed: lineEnd + 4 }
    parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
}

/** `HTTP/1.1 200 OK` with a content-length body. */
export function okResponse(body: string, extra = ''): string {
  return `HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n${extra}\r\n${body}`
}
