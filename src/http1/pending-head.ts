// A head whose end has not arrived yet, kept between reads by the request and the response
// readers alike. The first piece is kept as the transport handed it (transports never reuse what
// they handed over, transport.ts), and copied only when more comes, into a buffer grown by
// doubling: a head dripped a byte at a time costs linear time and memory, not a copy of everything
// so far per byte.

export class PendingHead {
  #bytes: Uint8Array | undefined
  #length = 0
  /** The buffer is ours to grow (not the transport's piece). */
  #owned = false
  readonly #minBytes: number

  /** `minBytes`: the first buffer of our own holds at least this much. */
  constructor(minBytes: number) {
    this.#minBytes = minBytes
  }

  /** Some bytes of a head are kept. */
  get active(): boolean {
    return this.#bytes !== undefined
  }

  /** How many bytes are kept (the scan of the next read resumes there). */
  get length(): number {
    return this.#length
  }

  /** Keeps a piece as it came: the start of a head. */
  hold(bytes: Uint8Array): void {
    this.#bytes = bytes
    this.#length = bytes.byteLength
    this.#owned = false
  }

  /** Adds the next piece; returns every byte kept so far. */
  append(bytes: Uint8Array): Uint8Array {
    const needed = this.#length + bytes.byteLength
    if (!this.#owned || needed > this.#bytes!.byteLength) {
      const grown = new Uint8Array(Math.max(needed * 2, this.#minBytes))
      grown.set(this.#bytes!.subarray(0, this.#length))
      this.#bytes = grown
      this.#owned = true
    }
    this.#bytes!.set(bytes, this.#length)
    this.#length = needed
    return this.#bytes!.subarray(0, needed)
  }

  clear(): void {
    this.#bytes = undefined
    this.#length = 0
    this.#owned = false
  }
}
