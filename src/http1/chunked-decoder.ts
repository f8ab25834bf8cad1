// Undoes chunked transfer coding (RFC 9112 §7.1) as bytes arrive in pieces of any size. Strict:
// every line ends in CRLF (a bare CR or LF is an error, never a line end), sizes are plain hex
// within a safe integer, extensions and trailers are read, bounded and dropped.

import { Http1ParseError } from './codec.ts'
import { MAX_CHUNK_LINE_BYTES, MAX_TRAILER_BYTES } from './limits.ts'

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done'

// chunk-size [ chunk-ext ]; chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] ), no control bytes.
const SIZE_LINE = /^([0-9a-fA-F]+)[ \t]*(?:;[^\x00-\x08\x0a-\x1f\x7f]*)?$/
const TRAILER_LINE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[^\x00\r\n]*$/

export class ChunkedDecoder {
  private state: State = 'size'
  private line = ''
  private cr = false
  private remaining = 0
  private trailerBytes = 0

  get done(): boolean {
    return this.state === 'done'
  }

  /**
   * Feeds bytes; returns the body data in them (views into `bytes`) and how many bytes were
   * consumed, which is less than all only once done. Throws Http1ParseError on bad framing.
   */
  push(bytes: Uint8Array): { data: Uint8Array[]; consumed: number } {
    const data: Uint8Array[] = []
    let i = 0
    while (i < bytes.byteLength && this.state !== 'done') {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, bytes.byteLength - i)
        data.push(bytes.subarray(i, i + take))
        i += take
        this.remaining -= take
        if (this.remaining === 0) this.state = 'data-cr'
        continue
      }
      const byte = bytes[i++] as number
      if (this.state === 'data-cr' || this.state === 'data-lf') {
        if (byte !== (this.state === 'data-cr' ? 13 : 10)) throw new Http1ParseError('chunk data longer than its size')
        this.state = this.state === 'data-cr' ? 'data-lf' : 'size'
        continue
      }
      if (this.cr) {
        if (byte !== 10) throw new Http1ParseError('bare CR in a chunk line')
        this.cr = false
        this.endLine()
        continue
      }
      if (byte === 13) this.cr = true
      else if (byte === 10) throw new Http1ParseError('bare LF in a chunk line')
      else {
        this.line += String.fromCharCode(byte)
        if (this.state === 'size' && this.line.length > MAX_CHUNK_LINE_BYTES) throw new Http1ParseError('chunk size line too long')
        if (this.state === 'trailer' && this.trailerBytes + this.line.length > MAX_TRAILER_BYTES) throw new Http1ParseError('trailer section too large')
      }
    }
    return { data, consumed: i }
  }

  private endLine(): void {
    const line = this.line
    this.line = ''
    if (this.state === 'size') {
      const size = SIZE_LINE.exec(line)
      const digits = size?.[1]?.replace(/^0+(?=.)/, '')
      // 13 hex digits reach 2^52: past that a length is not a safe integer.
      if (!digits || digits.length > 13) throw new Http1ParseError(`bad chunk size line: ${JSON.stringify(line.slice(0, 40))}`)
      this.remaining = parseInt(digits, 16)
      this.state = this.remaining === 0 ? 'trailer' : 'data'
      return
    }
    // trailer section: field lines up to the blank line that ends the message
    if (line === '') {
      this.state = 'done'
      return
    }
    if (!TRAILER_LINE.test(line)) throw new Http1ParseError(`malformed trailer line: ${JSON.stringify(line.slice(0, 40))}`)
    this.trailerBytes += line.length + 2
  }
}
