// The request-head reader of the floor peers (floor-listen-*.ts): enough HTTP/1.1 to serve wrk's
// keep-alive GETs, not a server. No bodies (a request with content-length or transfer-encoding is
// refused), no obs-fold, no limits beyond 64 KiB of head: these peers measure what a proxy costs
// without the runtime's HTTP objects, and are never a way to serve users.

export type RequestHead = {
  readonly method: string
  readonly target: string
  /** Lower-cased names and their values, in arrival order. */
  readonly names: string[]
  readonly values: string[]
  /** Bytes the head took, its blank line included. */
  readonly length: number
}

const latin1 = new TextDecoder('latin1')

/** The head at the start of `bytes`; undefined until its blank line has arrived; 'bad' for what the floor does not serve. */
export function readRequestHead(bytes: Uint8Array): RequestHead | undefined | 'bad' {
  const end = headEnd(bytes, 0)
  if (end < 0) return bytes.byteLength > 65_536 ? 'bad' : undefined
  const text = latin1.decode(bytes.subarray(0, end - 4))
  const lineEnd = text.indexOf('\r\n')
  const line = lineEnd < 0 ? text : text.slice(0, lineEnd)
  const sp1 = line.indexOf(' ')
  const sp2 = line.lastIndexOf(' ')
  if (sp1 <= 0 || sp2 <= sp1 || line.slice(sp2 + 1) !== 'HTTP/1.1') return 'bad'
  const names: string[] = []
  const values: string[] = []
  for (let at = lineEnd < 0 ? text.length : lineEnd + 2; at < text.length; ) {
    let nl = text.indexOf('\r\n', at)
    if (nl < 0) nl = text.length
    const colon = text.indexOf(':', at)
    if (colon <= at || colon > nl) return 'bad'
    const name = text.slice(at, colon).toLowerCase()
    if (name === 'content-length' || name === 'transfer-encoding') return 'bad'
    names.push(name)
    values.push(text.slice(colon + 1, nl).trim())
    at = nl + 2
  }
  return { method: line.slice(0, sp1), target: line.slice(sp1 + 1, sp2), names, values, length: end }
}

/** Index just past the first CRLFCRLF at or after `from`, or -1. */
export function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = from + 3; i < bytes.byteLength; i++) {
    if (bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13) return i + 1
  }
  return -1
}

export function concat(a: Uint8Array | undefined, b: Uint8Array): Uint8Array {
  if (!a) return b
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
}

export const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'
export const BAD_GATEWAY = 'HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n'

/**
 * Bun's socket.write takes what the kernel takes and returns the count: the rest is kept here and
 * written on `drain`. (The floors keep reading meanwhile: at most one response is queued.)
 */
export class WriteQueue {
  #queued: Uint8Array | undefined

  constructor(private readonly socket: { write(bytes: Uint8Array): number }) {}

  /** True when the socket took it all (nothing is queued): a streamed body may send more. */
  write(bytes: Uint8Array): boolean {
    if (this.#queued) {
      this.#queued = concat(this.#queued, bytes)
      return false
    }
    const written = this.socket.write(bytes)
    if (written < bytes.byteLength) this.#queued = bytes.subarray(Math.max(0, written))
    return this.#queued === undefined
  }

  /** The socket's drain: true when nothing is queued any more. */
  drain(): boolean {
    const queued = this.#queued
    if (!queued) return true
    this.#queued = undefined
    return this.write(queued)
  }
}
