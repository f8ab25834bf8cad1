// Incremental HTTP/1.1 response parser: bytes in as they arrive, head / body slices / completion
// out through callbacks. Handles content-length, chunked and close-delimited bodies, interim 1xx
// responses and bodiless responses (HEAD, 204, 304). Runtime-neutral: plain Uint8Array in.

import { Buffer } from 'node:buffer'

export type ResponseHead = {
  readonly status: number
  readonly statusText: string
  /** Header lines in arrival order, names as sent. */
  readonly headers: readonly (readonly [string, string])[]
}

export type ParserEvents = {
  head(head: ResponseHead): void
  /** A view into the arrived bytes; the parser keeps no reference to it. */
  body(chunk: Uint8Array): void
  complete(): void
}

/** The upstream broke HTTP/1.1 framing; the connection cannot be trusted any further. */
export class ResponseParseError extends Error {}

const enum State {
  Head,
  Length,
  UntilClose,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  Done,
}

const MAX_HEAD_BYTES = 80 * 1024
const MAX_LINE_BYTES = 16 * 1024
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/
const HEX = /^[0-9a-fA-F]{1,12}$/
const DIGITS = /^\d{1,15}$/
const toString = Buffer.prototype.toString as (this: Uint8Array, encoding: 'latin1', start: number, end: number) => string

export class ResponseParser {
  #state = State.Head
  #pending: Uint8Array | undefined
  #line = ''
  #remaining = 0
  #keepAlive = false
  readonly #headRequest: boolean
  readonly #events: ParserEvents
  /** Some response byte arrived (a reused connection that fails before that may be retried). */
  received = false
  /** Bytes followed a complete response: the upstream sent more than it declared. */
  excess = false

  constructor(method: string, events: ParserEvents) {
    this.#headRequest = method === 'HEAD'
    this.#events = events
  }

  /** True once the response is complete and the connection may carry another request. */
  get reusable(): boolean {
    return this.#state === State.Done && this.#keepAlive && !this.excess
  }

  get done(): boolean {
    return this.#state === State.Done
  }

  get headReceived(): boolean {
    return this.#state !== State.Head
  }

  /** Feeds arrived bytes; throws ResponseParseError on a framing violation. */
  execute(chunk: Uint8Array): void {
    if (chunk.byteLength > 0) this.received = true
    let offset = 0
    while (offset < chunk.byteLength) {
      switch (this.#state) {
        case State.Head:
          offset = this.#readHead(chunk, offset)
          break
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.#remaining, chunk.byteLength - offset)
          this.#events.body(offset === 0 && n === chunk.byteLength ? chunk : chunk.subarray(offset, offset + n))
          offset += n
          this.#remaining -= n
          if (this.#remaining === 0) {
            if (this.#state === State.Length) this.#complete()
            else this.#state = State.ChunkDataEnd
          }
          break
        }
        case State.UntilClose:
          this.#events.body(offset === 0 ? chunk : chunk.subarray(offset))
          offset = chunk.byteLength
          break
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: {
          const newline = chunk.indexOf(10, offset)
          if (newline < 0) {
            this.#line += latin1(chunk, offset, chunk.byteLength)
            if (this.#line.length > MAX_LINE_BYTES) throw new ResponseParseError('chunked framing line too long')
            offset = chunk.byteLength
            break
          }
          let line = this.#line + latin1(chunk, offset, newline)
          this.#line = ''
          offset = newline + 1
          if (line.endsWith('\r')) line = line.slice(0, -1)
          this.#chunkLine(line)
          break
        }
        case State.Done:
          this.excess = true
          return
      }
    }
  }

  /** The upstream closed its side. Returns true when the response is complete. */
  finish(): boolean {
    if (this.#state === State.UntilClose) this.#complete()
    return this.#state === State.Done
  }

  #complete(): void {
    this.#state = State.Done
    this.#events.complete()
  }

  #readHead(chunk: Uint8Array, offset: number): number {
    let buffer = offset === 0 ? chunk : chunk.subarray(offset)
    const previous = this.#pending?.byteLength ?? 0
    if (this.#pending) buffer = concat(this.#pending, buffer)
    const end = headEnd(buffer, Math.max(0, previous - 3))
    if (end < 0) {
      if (buffer.byteLength > MAX_HEAD_BYTES) throw new ResponseParseError('response head too large')
      this.#pending = buffer === chunk ? chunk.slice() : buffer
      return chunk.byteLength
    }
    this.#pending = undefined
    this.#head(latin1(buffer, 0, end))
    return offset + end + 4 - previous
  }

  #head(text: string): void {
    const lines = text.split('\r\n')
    const status = STATUS_LINE.exec(lines[0]!)
    if (!status) throw new ResponseParseError(`malformed status line: ${JSON.stringify(lines[0]!.slice(0, 64))}`)
    const code = Number(status[2])
    if (code === 101) throw new ResponseParseError('protocol upgrade is not supported')
    if (code < 200) return // interim response (100 Continue, 103 Early Hints): the real one follows
    const headers: [string, string][] = []
    let length: string | undefined
    let encoding: string | undefined
    let connection = ''
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!
      const colon = line.indexOf(':')
      if (colon <= 0 || line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 || line.charCodeAt(colon - 1) === 32)
        throw new ResponseParseError(`malformed header line: ${JSON.stringify(line.slice(0, 64))}`)
      const name = line.slice(0, colon)
      const value = line.slice(colon + 1).trim()
      headers.push([name, value])
      const lower = name.length >= 10 && name.length <= 17 ? name.toLowerCase() : ''
      if (lower === 'content-length') length = length === undefined ? value : `${length},${value}`
      else if (lower === 'transfer-encoding') encoding = encoding === undefined ? value : `${encoding},${value}`
      else if (lower === 'connection') connection += `,${value.toLowerCase()}`
    }
    const tokens = connection === '' ? [] : connection.split(',').map((t) => t.trim())
    this.#keepAlive = status[1] === '1' ? !tokens.includes('close') : tokens.includes('keep-alive')
    const bodiless = this.#headRequest || code === 204 || code === 304
    if (bodiless) this.#state = State.Done
    else if (encoding !== undefined) {
      // RFC 9112 §6.3: transfer-encoding wins over content-length; only a final `chunked` is framed.
      const last = encoding.split(',').pop()!.trim().toLowerCase()
      if (last === 'chunked') this.#state = State.ChunkSize
      else this.#untilClose()
    } else if (length !== undefined) {
      const values = new Set(length.split(',').map((v) => v.trim()))
      const [only] = values
      if (values.size !== 1 || !DIGITS.test(only!)) throw new ResponseParseError(`invalid content-length: ${length}`)
      this.#remaining = Number(only)
      this.#state = this.#remaining === 0 ? State.Done : State.Length
    } else this.#untilClose()
    this.#events.head({ status: code, statusText: status[3] ?? '', headers })
    if (this.#state === State.Done) this.#events.complete()
  }

  #untilClose(): void {
    this.#state = State.UntilClose
    this.#keepAlive = false
  }

  #chunkLine(line: string): void {
    if (this.#state === State.ChunkDataEnd) {
      if (line !== '') throw new ResponseParseError('chunk data longer than its size')
      this.#state = State.ChunkSize
    } else if (this.#state === State.ChunkSize) {
      const semicolon = line.indexOf(';')
      const hex = (semicolon < 0 ? line : line.slice(0, semicolon)).trim()
      if (!HEX.test(hex)) throw new ResponseParseError(`invalid chunk size: ${JSON.stringify(hex.slice(0, 32))}`)
      this.#remaining = parseInt(hex, 16)
      this.#state = this.#remaining === 0 ? State.Trailers : State.ChunkData
    } else if (line === '') {
      this.#complete() // trailers, if any, are dropped as fetch() drops them
    }
  }
}

function headEnd(buffer: Uint8Array, from: number): number {
  for (let i = buffer.indexOf(13, from); i >= 0 && i + 3 < buffer.byteLength; i = buffer.indexOf(13, i + 1)) {
    if (buffer[i + 1] === 10 && buffer[i + 2] === 13 && buffer[i + 3] === 10) return i
  }
  return -1
}

/** Byte-preserving (a TextDecoder's "latin1" is windows-1252); node:buffer exists on Bun and Deno. */
function latin1(bytes: Uint8Array, start: number, end: number): string {
  // Called on a plain Uint8Array: no Buffer view to allocate (reading `.buffer` is costly on JSC).
  return toString.call(bytes, 'latin1', start, end)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a, 0)
  out.set(b, a.byteLength)
  return out
}
