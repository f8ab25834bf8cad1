// One pooled upstream socket on Deno with its read buffer: bytes read but not yet consumed stay
// here between the head parser and the body stream.

/** The part of Deno.TcpConn the HTTP/1.1 client uses. */
export type DenoTcpConn = {
  read(into: Uint8Array): Promise<number | null>
  write(bytes: Uint8Array): Promise<number>
  close(): void
  setNoDelay(noDelay?: boolean): void
}

const READ_BYTES = 64 * 1024

export class DenoConnection {
  closed = false
  private buffer = new Uint8Array(READ_BYTES)
  private start = 0
  private end = 0

  constructor(
    private readonly conn: DenoTcpConn,
    readonly authority: string,
  ) {}

  /** The bytes read and not consumed; a view, valid until the next fill. */
  unread(): Uint8Array {
    return this.buffer.subarray(this.start, this.end)
  }

  consume(bytes: number): void {
    this.start += bytes
    if (this.start === this.end) this.start = this.end = 0
  }

  /** Reads more after the unread bytes; false at end of stream. */
  async fill(): Promise<boolean> {
    if (this.end === this.buffer.byteLength) {
      // Unconsumed bytes fill the buffer: move them to the front, or grow for a large head.
      const pending = this.end - this.start
      if (this.start > 0) this.buffer.copyWithin(0, this.start, this.end)
      else {
        const grown = new Uint8Array(this.buffer.byteLength * 2)
        grown.set(this.buffer)
        this.buffer = grown
      }
      this.start = 0
      this.end = pending
    }
    const n = await this.conn.read(this.buffer.subarray(this.end))
    if (n === null) return false
    this.end += n
    return true
  }

  async writeAll(bytes: Uint8Array): Promise<void> {
    let written = 0
    while (written < bytes.byteLength) written += await this.conn.write(written === 0 ? bytes : bytes.subarray(written))
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      this.conn.close()
    } catch {
      // already closed by the runtime
    }
  }
}
