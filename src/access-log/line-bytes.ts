// The bytes of buffered access-log lines, written as each line is made (Envoy formats into its
// file buffer the same way). Keeping the buffer as one JS string cost ~5 µs a request under load
// (bench/README.md): every line was a rope of ~30 pieces, the buffer a rope of ~330 lines, and the
// flush flattened and encoded ~10 000 cache-cold rope cells at once, then allocated a fresh 64 KiB
// array. Here a line's pieces go straight into one reused array while they are still in the cache,
// and nothing a line is made of lives past its request.

const encoder = new TextEncoder()

export class LineBytes {
  /** The bytes written so far are `bytes[0, length)`. */
  bytes: Uint8Array
  length = 0

  constructor(capacity: number) {
    this.bytes = new Uint8Array(Math.max(capacity, 1024))
  }

  /** `text` as UTF-8, exactly as TextEncoder writes it (a lone surrogate becomes U+FFFD). */
  text(text: string): void {
    const n = text.length
    // A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair: 4 bytes for 2 units).
    if (this.length + n * 3 > this.bytes.length) this.grow(n * 3)
    const bytes = this.bytes
    let at = this.length
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80) {
        // Not ASCII: the encoder takes the rest (rare in a log line: paths and ids are ASCII).
        this.length = at + encoder.encodeInto(i === 0 ? text : text.slice(i), bytes.subarray(at)).written
        return
      }
      bytes[at++] = c
    }
    this.length = at
  }

  /** One ASCII byte. */
  byte(c: number): void {
    if (this.length === this.bytes.length) this.grow(1)
    this.bytes[this.length++] = c
  }

  /** `String(n)`: digits for a non-negative integer below 2^31, the string for anything else. */
  int(n: number): void {
    if (!(n >= 0 && n <= 0x7fffffff && (n | 0) === n)) return this.text(String(n))
    if (this.length + 10 > this.bytes.length) this.grow(10)
    const bytes = this.bytes
    if (n < 10) {
      bytes[this.length++] = 48 + n
      return
    }
    let digits = 1
    for (let rest = n; rest >= 10; rest = (rest / 10) | 0) digits++
    let at = this.length + digits
    this.length = at
    for (let rest = n; at > this.length - digits; rest = (rest / 10) | 0) bytes[--at] = 48 + (rest % 10)
  }

  /** Copies `source` in. */
  append(source: Uint8Array): void {
    if (this.length + source.byteLength > this.bytes.length) this.grow(source.byteLength)
    this.bytes.set(source, this.length)
    this.length += source.byteLength
  }

  /** Room for `more` bytes after `length`: the array doubles (a line longer than the buffer). */
  private grow(more: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + more))
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
  }
}
