// Splits the raw bytes an upstream received into HTTP/1.1 requests as an upstream parser would
// (Content-Length, else chunked, else no body), keeping whatever is left over: a smuggled or
// mis-framed request shows up as an extra request or as leftover bytes.

export type ForwardedRequest = {
  readonly line: string
  /** Header lines in order, names lower-cased, values as sent. */
  readonly headers: readonly (readonly [string, string])[]
  /** The body as framed on the wire (still chunk-encoded when chunked), latin1. */
  readonly framedBody: string
  /** The body's bytes after de-chunking, latin1. */
  readonly body: string
}

export function splitRequests(bytes: Uint8Array): { requests: ForwardedRequest[]; leftover: string } {
  let text = Buffer.from(bytes).toString('latin1')
  const requests: ForwardedRequest[] = []
  for (;;) {
    const end = text.indexOf('\r\n\r\n')
    if (end < 0) return { requests, leftover: text }
    const [line, ...lines] = text.slice(0, end).split('\r\n')
    const headers = lines.map((l) => {
      const colon = l.indexOf(':')
      return [l.slice(0, colon).toLowerCase(), l.slice(colon + 1).trim()] as const
    })
    const rest = text.slice(end + 4)
    const length = headers.find(([name]) => name === 'content-length')
    const chunked = headers.some(([name, value]) => name === 'transfer-encoding' && /chunked/i.test(value))
    let framedBody = ''
    let body = ''
    if (length) {
      const n = Number(length[1])
      if (!Number.isInteger(n) || rest.length < n) return { requests, leftover: text }
      framedBody = body = rest.slice(0, n)
    } else if (chunked) {
      let offset = 0
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', offset)
        if (lineEnd < 0) return { requests, leftover: text }
        const size = parseInt(rest.slice(offset, lineEnd), 16)
        if (Number.isNaN(size)) return { requests, leftover: text }
        if (size === 0) {
          const trailerEnd = rest.indexOf('\r\n\r\n', lineEnd)
          if (trailerEnd < 0) return { requests, leftover: text }
          framedBody = rest.slice(0, trailerEnd + 4)
          break
        }
        if (rest.length < lineEnd + 2 + size + 2) return { requests, leftover: text }
        body += rest.slice(lineEnd + 2, lineEnd + 2 + size)
        offset = lineEnd + 2 + size + 2
      }
    }
    requests.push({ line: line!, headers, framedBody, body })
    text = rest.slice(framedBody.length)
  }
}

export function header(request: ForwardedRequest, name: string): string | undefined {
  return request.headers.find(([n]) => n === name)?.[1]
}
