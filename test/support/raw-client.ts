// A downstream client on a raw socket for hostile-input tests: writes bytes exactly as given and
// reads one HTTP/1.1 response at a time (Content-Length, chunked, or until close), so a test can
// tell whether the connection is still usable after a bad request.

import net from 'node:net'

export type RawResponse = { readonly status: number; readonly head: string; readonly headers: Map<string, string>; readonly body: string }

export class RawConnection {
  readonly #socket: net.Socket
  #buffer = ''
  #closed = false
  #wake: (() => void) | undefined

  private constructor(socket: net.Socket) {
    this.#socket = socket
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk
      this.#wake?.()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.#closed = true
      this.#wake?.()
    })
  }

  static open(port: number, address = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, address, () => resolve(new RawConnection(socket)))
      socket.once('error', reject)
    })
  }

  /** `text` is sent as latin1, one byte per character, so any byte can be written. */
  send(text: string | Uint8Array): void {
    this.#socket.write(typeof text === 'string' ? Buffer.from(text, 'latin1') : text)
  }

  /** The next response, or 'closed' when the peer closed first; throws after `timeoutMs` of neither. */
  async response(timeoutMs = 5_000): Promise<RawResponse | 'closed'> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const parsed = this.#parse()
      if (parsed) return parsed
      if (this.#closed) return 'closed'
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms; received so far: ${JSON.stringify(this.#buffer.slice(0, 300))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.#wake = undefined
    }
  }

  /** True once the peer closed; waits up to `timeoutMs` for it. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs
    while (!this.#closed && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    return this.#closed
  }

  get closed(): boolean {
    return this.#closed
  }

  close(): void {
    this.#socket.destroy()
  }

  #parse(): RawResponse | undefined {
    const end = this.#buffer.indexOf('\r\n\r\n')
    if (end < 0) return undefined
    const head = this.#buffer.slice(0, end)
    const [statusLine, ...lines] = head.split('\r\n')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine!)?.[1] ?? NaN)
    const headers = new Map<string, string>()
    for (const line of lines) {
      const colon = line.indexOf(':')
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
    }
    const rest = this.#buffer.slice(end + 4)
    let body: string
    let consumed: number
    if (status === 100) {
      this.#buffer = rest
      return this.#parse()
    }
    if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
      const decoded = dechunk(rest)
      if (!decoded) return undefined
      ;({ body, consumed } = decoded)
    } else if (headers.has('content-length')) {
      const length = Number(headers.get('content-length'))
      if (rest.length < length) return undefined
      body = rest.slice(0, length)
      consumed = length
    } else if (status === 204 || status === 304) {
      body = ''
      consumed = 0
    } else {
      if (!this.#closed) return undefined
      body = rest
      consumed = rest.length
    }
    this.#buffer = rest.slice(consumed)
    return { status, head, headers, body }
  }
}

function dechunk(text: string): { body: string; consumed: number } | undefined {
  let body = ''
  let offset = 0
  for (;;) {
    const lineEnd = text.indexOf('\r\n', offset)
    if (lineEnd < 0) return undefined
    const size = parseInt(text.slice(offset, lineEnd), 16)
    if (size === 0) {
      const end = text.indexOf('\r\n\r\n', lineEnd)
      return end < 0 ? undefined : { body, consumed: end + 4 }
    }
    if (text.length < lineEnd + 2 + size + 2) return undefined
    body += text.slice(lineEnd + 2, lineEnd + 2 + size)
    offset = lineEnd + 2 + size + 2
  }
}
