// A Zipkin batch body as UTF-8 bytes in memory kept from batch to batch. Under load, a batch joined
// into one big string, encoded by fetch and copied again landed in fresh pages every batch (big
// allocations go back to the OS after a GC): ~380 minor faults per 1000 traced requests against
// ~27 untraced (bench/README.md, stop 28 trace11). Here the parts are encoded straight into a buffer
// that stays mapped, and the HTTP/1.1 client writes a view of it to the socket without a copy.

const encoder = new TextEncoder()

const OPEN = 0x5b // [
const COMMA = 0x2c
const CLOSE = 0x5d // ]

/** The first buffer; it doubles as batches need, so a steady load stops allocating after a few. */
const INITIAL_BYTES = 64 * 1024
/** A buffer past this is not kept for the next batch (a rare huge batch must not stay resident). */
const MAX_KEPT_BYTES = 8 * 1024 * 1024
/** A kept buffer no batch has taken for this long is let go: an idle proxy keeps no batch-sized memory. */
const IDLE_RELEASE_MS = 5_000

/** One body's buffer: encode() fills it; its view is valid until the buffer is given back. */
export class BodyBuffer {
  #bytes: Uint8Array<ArrayBuffer> = new Uint8Array(INITIAL_BYTES)

  get capacity(): number {
    return this.#bytes.byteLength
  }

  /** `[` + the non-empty parts joined by `,` + `]`: the same bytes as encoding that string. */
  encode(parts: readonly string[]): Uint8Array<ArrayBuffer> {
    let at = 0
    this.#bytes[at++] = OPEN
    let first = true
    for (const part of parts) {
      if (part === '') continue
      if (!first) {
        this.#room(at, 1)
        this.#bytes[at++] = COMMA
      }
      first = false
      at = this.#write(part, at)
    }
    this.#room(at, 1)
    this.#bytes[at++] = CLOSE
    return this.#bytes.subarray(0, at)
  }

  #write(text: string, at: number): number {
    // One byte a character first: span JSON is ASCII but for tag values, so this fits at once.
    this.#room(at, text.length)
    for (;;) {
      const { read, written } = encoder.encodeInto(text, this.#bytes.subarray(at))
      at += written
      if (read === text.length) return at
      // encodeInto stops between code points, never inside a surrogate pair: the rest is whole.
      text = text.slice(read)
      this.#room(at, text.length * 3)
    }
  }

  /** Makes room for `more` bytes after the first `at`, keeping them. */
  #room(at: number, more: number): void {
    const need = at + more
    if (need <= this.#bytes.byteLength) return
    let size = this.#bytes.byteLength * 2
    while (size < need) size *= 2
    const grown = new Uint8Array(size)
    grown.set(this.#bytes.subarray(0, at))
    this.#bytes = grown
  }
}

/**
 * Buffers for bodies in flight: one is kept spare between batches (the batch processor sends one
 * at a time; a POST that timed out may still hold one while the next goes, and that one is new).
 */
export class BodyBuffers {
  #spare: BodyBuffer | undefined
  #idle: ReturnType<typeof setTimeout> | undefined

  take(): BodyBuffer {
    const buffer = this.#spare ?? new BodyBuffer()
    this.#spare = undefined
    return buffer
  }

  /** Only once nothing reads the buffer any more: the POST was answered and its body fully written. */
  give(buffer: BodyBuffer): void {
    if (buffer.capacity > MAX_KEPT_BYTES) return
    this.#spare = buffer
    if (this.#idle !== undefined) clearTimeout(this.#idle)
    this.#idle = setTimeout(() => {
      this.#idle = undefined
      this.#spare = undefined
    }, IDLE_RELEASE_MS)
    ;(this.#idle as { unref?: () => void }).unref?.()
  }
}
