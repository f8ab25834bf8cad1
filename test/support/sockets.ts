// Raw TCP tools for tests that need what fetch cannot do: a port nobody listens on, an upstream
// that drops the connection mid-request, and byte-exact requests (chunked bodies, garbage).

import net from 'node:net'

/** A loopback port that was free a moment ago: bound, then closed, so a connect is refused. */
export async function unusedPort(address = '127.0.0.1'): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, address, resolve)
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/**
 * An endpoint nobody listens on. A port freed on 127.0.0.1 can be taken at once by another test's
 * listener on a busy machine; a rarely used loopback address makes that collision unlikely.
 */
export async function unusedEndpoint(): Promise<{ address: string; port: number }> {
  const address = `127.0.0.${200 + Math.floor(Math.random() * 50)}`
  return { address, port: await unusedPort(address) }
}

export type ResettingUpstream = { readonly port: number; accepted(): number; stop(): Promise<void> }

/** Accepts, reads the start of the request, then destroys the socket: a reset before headers. */
export async function startResettingUpstream(address = '127.0.0.1'): Promise<ResettingUpstream> {
  let accepted = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    accepted++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => accepted,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/**
 * Writes `request` as is and collects everything the peer sends until it closes the connection
 * (send `Connection: close`) or `timeoutMs` passes; a timeout is an error, not a short answer.
 */
export function rawExchange(port: number, request: string | Uint8Array, options: { address?: string; timeoutMs?: number } = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 5_000
  return new Promise((resolve, reject) => {
    let received = ''
    const socket = net.connect(port, options.address ?? '127.0.0.1', () => socket.write(request))
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no close within ${timeoutMs} ms; received so far: ${JSON.stringify(received)}`))
    }, timeoutMs)
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => (received += chunk))
    // A server may reset after answering; what it sent before still counts.
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(received)
    })
  })
}

/** Status code of a raw HTTP/1.1 answer (`HTTP/1.1 413 ...`), or undefined when there is none. */
export function rawStatus(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer)
  return match ? Number(match[1]) : undefined
}

/** Body of a raw HTTP/1.1 answer, de-chunked when it is chunked. */
export function rawBody(answer: string): string {
  const split = answer.indexOf('\r\n\r\n')
  if (split < 0) return ''
  const head = answer.slice(0, split).toLowerCase()
  let body = answer.slice(split + 4)
  if (!/\r\ntransfer-encoding: *chunked/.test(head)) return body
  let out = ''
  while (body.length > 0) {
    const lineEnd = body.indexOf('\r\n')
    const size = parseInt(body.slice(0, lineEnd), 16)
    if (!size) break
    out += body.slice(lineEnd + 2, lineEnd + 2 + size)
    body = body.slice(lineEnd + 2 + size + 2)
  }
  return out
}

export type BlackHole = { readonly port: number; stop(): void }

// A Node child (Bun ignores `backlog`; Node reads 0 as its default) that listens with backlog 1
// and then blocks its thread (Atomics.wait, no CPU), so it never accepts: once fillers take the
// queued slots, later SYNs are dropped and a connect hangs. Node is there wherever npm ci ran.
const BLACK_HOLE_CHILD = `
const net = require('node:net'), fs = require('node:fs')
const server = net.createServer()
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  fs.writeSync(1, server.address().port + '\\n')
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000)
  process.exit(0)
})`

/** A loopback port where a TCP connect neither succeeds nor is refused: for connect timeouts. */
export async function startBlackHole(): Promise<BlackHole> {
  const child = Bun.spawn(['node', '-e', BLACK_HOLE_CHILD], { stdout: 'pipe', stderr: 'inherit' })
  const reader = child.stdout.getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { done, value } = await reader.read()
    if (done) break
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  const port = Number(text.trim())
  if (!port) {
    child.kill()
    throw new Error(`the black-hole child printed no port: ${JSON.stringify(text)}`)
  }
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => {}))
  await new Promise((resolve) => setTimeout(resolve, 200))
  return {
    port,
    stop() {
      for (const socket of fillers) socket.destroy()
      child.kill()
    },
  }
}
