// Undoes the chunked transfer coding of a request body (RFC 9112 §7.1) byte by byte, as the
// connection's bytes arrive in pieces of any size, for the byte-level listener. Not the client's
// chunked-decoder.ts: that one builds each line as a string and judges it with a regex, throws an
// Http1ParseError without a status, allocates an array per push and lets control bytes through in
// trailers; a listener's decoder faces every client, so it holds no line at all (a state per byte,
// the size read digit by digit), refuses what the head parser refuses, and hands each data piece
// to its sink as a view into the bytes it was given.

import { MAX_CHUNK_LINE_BYTES, MAX_TRAILER_BYTES } from './limits.ts'
import { RequestBodyError } from './request-body-error.ts'

/** Receives the body's data, one view per chunk piece, in arrival order. */
export interface ChunkSink {
  chunkData(bytes: Uint8Array): void
}

// One state per place in the grammar; numbers, so the loop compares small integers.
const SIZE_FIRST = 0 // the first hex digit of a chunk-size
const SIZE = 1 // more digits, or what may follow them
const SIZE_BWS = 2 // whitespace after the size: only `;` or the line's end may follow
const EXT = 3 // a chunk extension: read, bounded, dropped
const SIZE_LF = 4 // the size line's CR has arrived
const DATA = 5
const DATA_CR = 6
const DATA_LF = 7
const TRAILER_START = 8 // a trailer field's first byte, or the blank line ending the body
const TRAILER_NAME = 9
const TRAILER_VALUE = 10
const TRAILER_LF = 11
const FINAL_LF = 12
const DONE = 13
const FAILED = 14

const HEX = new Int8Array(256).fill(-1)
for (let d = 0; d < 16; d++) {
  HEX['0123456789abcdef'.charCodeAt(d)] = d
  HEX['0123456789ABCDEF'.charCodeAt(d)] = d
}
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1
/** What an extension or a field value may hold: HTAB, visible ASCII, SP, obs-text (no other control byte, no DEL). */
const TEXT = new Uint8Array(256)
for (let b = 0x20; b < 0x7f; b++) TEXT[b] = 1
for (let b = 0x80; b < 0x100; b++) TEXT[b] = 1
TEXT[0x09] = 1

/** 13 significant hex digits reach 2^52: a size past that would not be a safe integer. */
const MAX_SIZE_DIGITS = 13

export class RequestChunkedDecoder {
  #state = SIZE_FIRST
  /** The chunk size as read so far, then what is left of the chunk's data. */
  #size = 0
  #digits = 0
  #lineBytes = 0
  #trailerBytes = 0
  #error: RequestBodyError | undefined

  constructor(
    private readonly sink: ChunkSink,
    /** The trailer section's bytes, its closing blank line included (Envoy reuses max_request_headers_kb, 60 KiB). */
    private readonly maxTrailerBytes = MAX_TRAILER_BYTES,
  ) {}

  /** The last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.#state === DONE
  }

  /** Set once the framing is malformed; nothing more is read after it. */
  get error(): RequestBodyError | undefined {
    return this.#error
  }

  /**
   * Feeds bytes; returns how many were the body's: all of them until the body ends, then those up
   * to its last byte. After a malformed byte, `error` is set and the count stops before that byte.
   */
  push(bytes: Uint8Array): number {
    const n = bytes.byteLength
    let i = 0
    while (i < n && this.#state < DONE) {
      if (this.#state === DATA) {
        const take = Math.min(this.#size, n - i)
        this.sink.chunkData(take === n ? bytes : bytes.subarray(i, i + take))
        i += take
        this.#size -= take
        if (this.#size === 0) this.#state = DATA_CR
        continue
      }
      const next = this.#step(bytes[i] as number)
      if (next === FAILED) return i
      this.#state = next
      i++
    }
    return i
  }

  /** The state after one framing byte, or FAILED with #error set. */
  #step(byte: number): number {
    switch (this.#state) {
      case SIZE_FIRST: {
        const digit = HEX[byte] as number
        // No sign, no leading whitespace, no empty size.
        if (digit < 0) return this.#fail('bad chunk size')
        this.#size = digit
        this.#digits = digit === 0 ? 0 : 1
        this.#lineBytes = 1
        return SIZE
      }
      case SIZE:
      case SIZE_BWS:
      case EXT:
        if (byte === 13) return SIZE_LF
        if (++this.#lineBytes > MAX_CHUNK_LINE_BYTES) return this.#fail('chunk size line too long')
        if (this.#state === EXT) return TEXT[byte] ? EXT : this.#fail(byte === 10 ? 'bare LF in a chunk size line' : 'control byte in a chunk extension')
        if (byte === 0x3b) return EXT
        if (byte === 0x20 || byte === 0x09) return SIZE_BWS
        if (this.#state === SIZE) {
          const digit = HEX[byte] as number
          if (digit >= 0) {
            if (this.#digits > 0 || digit > 0) this.#digits++
            if (this.#digits > MAX_SIZE_DIGITS) return this.#fail('chunk size too large')
            this.#size = this.#size * 16 + digit
            return SIZE
          }
        }
        return this.#fail(byte === 10 ? 'bare LF in a chunk size line' : 'bad chunk size')
      case SIZE_LF:
        if (byte !== 10) return this.#fail('bare CR in a chunk size line')
        return this.#size === 0 ? TRAILER_START : DATA
      case DATA_CR:
        return byte === 13 ? DATA_LF : this.#fail('chunk data longer than its size')
      case DATA_LF:
        return byte === 10 ? SIZE_FIRST : this.#fail('bare CR after chunk data')
    }
    // The trailer section: field lines, parsed for syntax and dropped, up to the blank line.
    if (++this.#trailerBytes > this.maxTrailerBytes) return this.#fail('trailer section too large')
    switch (this.#state) {
      case TRAILER_START:
        if (byte === 13) return FINAL_LF
        // Whitespace here is an obs-fold or a line before the first field: refused, as in a head.
        return TCHAR[byte] ? TRAILER_NAME : this.#fail('malformed trailer field')
      case TRAILER_NAME:
        if (byte === 0x3a) return TRAILER_VALUE
        return TCHAR[byte] ? TRAILER_NAME : this.#fail('malformed trailer field name')
      case TRAILER_VALUE:
        if (byte === 13) return TRAILER_LF
        return TEXT[byte] ? TRAILER_VALUE : this.#fail(byte === 10 ? 'bare LF in a trailer field' : 'control byte in a trailer field')
      case TRAILER_LF:
        return byte === 10 ? TRAILER_START : this.#fail('bare CR in a trailer field')
      default: // FINAL_LF
        return byte === 10 ? DONE : this.#fail('bare CR after the trailer section')
    }
  }

  #fail(why: string): number {
    this.#error = new RequestBodyError(why)
    this.#state = FAILED
    return FAILED
  }
}
