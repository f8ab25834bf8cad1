// Undoes chunked transfer coding (RFC 9112 §7.1) as bytes arrive in pieces of any size;
// chunk extensions and trailers are read and dropped.

import { Http1ParseError } from './codec.ts'

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done'

const MAX_LINE = 4096

export class ChunkedDecoder {
  private state: State = 'size'
  private line = ''
  private remaining = 0

  get done(): boolean {
    return this.state === 'done'
  }

  /**
   * Feeds bytes; returns the body data in them (views into `bytes`, copy before reusing the
   * buffer) and how many bytes were consumed, which is less than all only once done.
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
        if (this.remaining === 0) this.state = 'data-end'
        continue
      }
      const byte = bytes[i++] as number
      if (byte !== 10) {
        if (byte !== 13) this.line += String.fromCharCode(byte)
        if (this.line.length > MAX_LINE) throw new Http1ParseError('chunk line too long')
        continue
      }
      const line = this.line
      this.line = ''
      if (this.state === 'size') {
        const size = /^([0-9a-fA-F]{1,12})\s*(;.*)?$/.exec(line)
        if (!size) throw new Http1ParseError(`bad chunk size line: ${line.slice(0, 40)}`)
        this.remaining = parseInt(size[1] as string, 16)
        this.state = this.remaining === 0 ? 'trailer' : 'data'
      } else if (this.state === 'data-end') {
        if (line !== '') throw new Http1ParseError('chunk data longer than its size')
        this.state = 'size'
      } else if (line === '') {
        this.state = 'done' // the blank line after the (possibly empty) trailer section
      }
    }
    return { data, consumed: i }
  }
}
