// A WebSocket client on a bare TCP socket, for what the runtimes' clients cannot do: stop reading
// (to play a slow consumer) and see exactly which frames arrived, in order, before the close.

import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { connect, type Socket } from 'node:net'

export type Frame = { readonly opcode: number; readonly payload: Buffer }

export class RawWebSocket {
  readonly frames: Frame[] = []
  #pending: Buffer = Buffer.alloc(0)
  #ended = false

  private constructor(private readonly socket: Socket) {}

  /** Completes the handshake (101 or an error), then parses every frame the server sends. */
  static open(port: number, path: string): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: Upgrade\r\nupgrade: websocket\r\nsec-websocket-version: 13\r\nsec-websocket-key: ${randomBytes(16).toString('base64')}\r\n\r\n`),
      )
      const client = new RawWebSocket(socket)
      let head: Buffer | undefined = Buffer.alloc(0)
      socket.on('error', reject)
      socket.on('end', () => (client.#ended = true))
      socket.on('close', () => (client.#ended = true))
      socket.on('data', (chunk: Buffer) => {
        if (head === undefined) return client.#read(chunk)
        head = Buffer.concat([head, chunk])
        const end = head.indexOf('\r\n\r\n')
        if (end < 0) return
        const status = head.subarray(9, 12).toString()
        const rest = head.subarray(end + 4)
        head = undefined
        if (status !== '101') return reject(new Error(`upgrade answered ${status}`))
        resolve(client)
        if (rest.length) client.#read(rest)
      })
    })
  }

  /** A masked text frame, as a client must send. */
  send(text: string): void {
    const payload = Buffer.from(text)
    if (payload.length > 125) throw new Error('raw client sends short frames only')
    const mask = randomBytes(4)
    const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!))
    this.socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]))
  }

  /** Stops reading: the kernel's buffers fill and the sender's side backs up. */
  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  /** Waits until a close frame arrives, the connection ends, or `count` data frames are in. */
  async until(count: number, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs
    while (!this.#ended && !this.closeFrame() && this.dataFrames().length < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  }

  dataFrames(): Frame[] {
    return this.frames.filter((f) => f.opcode === 1 || f.opcode === 2)
  }

  /** The close frame's code, if one came. */
  closeFrame(): number | undefined {
    const close = this.frames.find((f) => f.opcode === 8)
    return close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : close && 1005
  }

  /** The server ended the connection. */
  get ended(): boolean {
    return this.#ended
  }

  destroy(): void {
    this.socket.destroy()
  }

  #read(chunk: Buffer): void {
    let buffer = this.#pending.length ? Buffer.concat([this.#pending, chunk]) : chunk
    for (;;) {
      if (buffer.length < 2) break
      let length = buffer[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffer.length < 4) break
        length = buffer.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffer.length < 10) break
        length = Number(buffer.readBigUInt64BE(2))
        offset = 10
      }
      if (buffer.length < offset + length) break
      this.frames.push({ opcode: buffer[0]! & 0x0f, payload: buffer.subarray(offset, offset + length) })
      buffer = buffer.subarray(offset + length)
    }
    this.#pending = buffer
  }
}
