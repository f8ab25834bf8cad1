// The hostile-request corpus: raw requests (framing, whitespace and control bytes, request targets,
// Host, sizes, methods) with what edgeway must answer and what the upstream must receive, per
// runtime where the runtimes' own HTTP/1.1 parsers differ (each difference is in README's limits).
// Routes of the suite's config: /service/1 -> x-route: service1; everything else -> x-route: other.

export type Forwarded = {
  readonly line: string
  /** De-chunked body bytes (latin1); default empty. */
  readonly body?: string
  /** Header values that must be forwarded exactly; `null` = must be absent. */
  readonly headers?: Readonly<Record<string, string | null>>
}

export type Expectation = {
  /** Status of the one response, or 'closed' for a connection closed without any; a list when a race decides. */
  readonly status: number | 'closed' | readonly (number | 'closed')[]
  /** What the upstream must receive, byte for byte in line, framing headers and body; absent = nothing. */
  readonly forwarded?: Forwarded
  /** When a runtime race decides whether `forwarded` happens at all (it must be exact if it does). */
  readonly mayForward?: boolean
  /** The request may reach the upstream cut short (its head, part of its body), never completed or followed. */
  readonly mayTruncate?: boolean
  /** The connection closes after the answer, whatever its status. */
  readonly closes?: boolean
}

export type HostileCase = {
  readonly name: string
  readonly request: string
  readonly expect: Expectation | { readonly bun: Expectation; readonly deno: Expectation }
}

const H = 'Host: x\r\n'
const rejected: Expectation = { status: 400 }
const ok = (line: string, extra: Omit<Forwarded, 'line'> = {}): Expectation => ({ status: 200, forwarded: { line, ...extra } })
const noFraming = { 'content-length': null, 'transfer-encoding': null }
/** `n` header lines X-F0: 0 ... */
const fieldLines = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('')

export const HOSTILE_CASES: readonly HostileCase[] = [
  // Framing: every form but one plain length or one chunked coding is refused and never forwarded.
  { name: 'two equal Content-Length headers', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`, expect: rejected },
  { name: 'list-valued Content-Length', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`, expect: rejected },
  { name: 'two different Content-Length headers', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, expect: rejected },
  { name: 'Content-Length with Transfer-Encoding', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: rejected },
  { name: 'Transfer-Encoding: gzip', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc`, expect: rejected },
  { name: 'Transfer-Encoding: chunked, gzip', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: rejected },
  { name: 'two Transfer-Encoding headers', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: rejected },
  { name: 'Transfer-Encoding: xchunked', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: rejected },
  { name: 'Transfer-Encoding on HTTP/1.0', request: `POST /service/1/a HTTP/1.0\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: rejected },
  { name: 'negative Content-Length', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, expect: rejected },
  { name: 'signed Content-Length', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`, expect: rejected },
  { name: 'Content-Length past 2^64', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 99999999999999999999\r\n\r\nabc`, expect: rejected },
  {
    name: 'chunked body with Content-Length-style smuggling inside',
    request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    expect: ok('POST /service/1/a HTTP/1.1', { body: 'hello', headers: { 'x-route': 'service1' } }),
  },
  { name: 'chunk extension', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n\r\n`, expect: ok('POST /service/1/a HTTP/1.1', { body: 'abc' }) },
  {
    name: 'chunked trailer',
    request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n`,
    // Bun's parser ends the body at the last chunk and reads the trailer as a next request: its 400
    // and close race edgeway's 200 (README limits). Trailers are not forwarded on either runtime.
    expect: {
      bun: { status: [200, 400], forwarded: { line: 'POST /service/1/a HTTP/1.1', body: 'abc' }, mayForward: true, mayTruncate: true, closes: true },
      deno: ok('POST /service/1/a HTTP/1.1', { body: 'abc', headers: { 'x-trailer': null } }),
    },
  },
  // Envoy's codec also adds content-length: 0 to a POST without a body.
  { name: 'POST without Content-Length or Transfer-Encoding has no body', request: `POST /service/1/a HTTP/1.1\r\n${H}\r\n`, expect: ok('POST /service/1/a HTTP/1.1', { headers: { 'content-length': '0', 'transfer-encoding': null } }) },
  {
    name: 'GET with a body holding a second request',
    request: `GET /service/1/a HTTP/1.1\r\n${H}Content-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n`,
    // Both runtimes drop GET bodies (README limits); the bytes inside must never become a request.
    expect: ok('GET /service/1/a HTTP/1.1', { headers: noFraming }),
  },
  // Whitespace and control bytes.
  { name: 'obs-fold', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`, expect: rejected },
  { name: 'NUL in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\x00c\r\n\r\n`, expect: rejected },
  { name: 'CR in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`, expect: rejected },
  { name: 'space before the colon', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A : b\r\n\r\n`, expect: rejected },
  { name: 'header line without a colon', request: `GET /service/1/a HTTP/1.1\r\n${H}Foo\r\n\r\n`, expect: rejected },
  { name: 'empty header name', request: `GET /service/1/a HTTP/1.1\r\n${H}: 1\r\n\r\n`, expect: rejected },
  { name: 'invalid header name', request: `GET /service/1/a HTTP/1.1\r\n${H}F(o: 1\r\n\r\n`, expect: rejected },
  {
    name: 'bare LF line endings',
    request: 'GET /service/1/a HTTP/1.1\nHost: x\nX-A: b\n\n',
    // RFC 9112 §2.2 lets a recipient accept a bare LF; Deno's parser does, Bun's refuses it.
    expect: { bun: { status: 505 }, deno: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-a': 'b' } }) },
  },
  { name: 'obs-text in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: caf\xe9\r\n\r\n`, expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-a': 'caf\xe9' } }) },
  { name: 'two spaces in the request line', request: `GET  /service/1/a HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  { name: 'HTTP/1.2', request: `GET /service/1/a HTTP/1.2\r\n${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected } },
  { name: 'tab in the request target', request: `GET /service/1/a\tb HTTP/1.1\r\n${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected } },
  // Request targets and Host.
  {
    name: 'absolute-form target',
    request: `GET http://other.example/service/1/x HTTP/1.1\r\n${H}\r\n`,
    // Routed by Host on both: Bun does not expose the target's authority (README limits).
    expect: ok('GET /service/1/x HTTP/1.1', { headers: { host: 'x', 'x-route': 'service1' } }),
  },
  // Deno.serve hands an HTTP/1.x request without Host over exactly like an h2c one (no Host, an
  // authority made up in the URL), so Deno routes it by that authority (README limits); on the
  // target's own path either way, never a segment dropped.
  { name: 'HTTP/1.0 without Host', request: 'GET /evil/service/1/x HTTP/1.0\r\n\r\n', expect: { bun: rejected, deno: { ...ok('GET /evil/service/1/x HTTP/1.1'), closes: true } } },
  { name: 'HTTP/1.1 without Host', request: 'GET /evil/service/1/x HTTP/1.1\r\n\r\n', expect: { bun: rejected, deno: ok('GET /evil/service/1/x HTTP/1.1') } },
  { name: 'Host with a space', request: 'GET /evil/service/1/x HTTP/1.1\r\nHost: a b\r\n\r\n', expect: rejected },
  { name: 'Host with a slash', request: 'GET /evil/service/1/x HTTP/1.1\r\nHost: a/b\r\n\r\n', expect: rejected },
  { name: 'Host with userinfo', request: 'GET /evil/service/1/x HTTP/1.1\r\nHost: a@b\r\n\r\n', expect: rejected },
  { name: 'empty Host', request: 'GET /evil/service/1/x HTTP/1.1\r\nHost:\r\n\r\n', expect: rejected },
  { name: 'Host with a bad port', request: 'GET /service/1/x HTTP/1.1\r\nHost: a:xx\r\n\r\n', expect: rejected },
  { name: 'two Host headers', request: 'GET /service/1/x HTTP/1.1\r\nHost: a.example\r\nHost: internal.example\r\n\r\n', expect: rejected },
  { name: 'dot-segments climbing out of the route', request: `GET /service/1/../../up/secret HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /up/secret HTTP/1.1', { headers: { 'x-route': 'other' } }) },
  { name: 'percent-encoded dot-segments', request: `GET /service/1/%2e%2e/%2E%2E/up HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /up HTTP/1.1', { headers: { 'x-route': 'other' } }) },
  { name: 'dot-segments inside the route', request: `GET /service/1/a/./b/../c?x=/../y HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /service/1/a/c?x=/../y HTTP/1.1', { headers: { 'x-route': 'service1' } }) },
  { name: 'backslash', request: `GET /service\\1\\x HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /service/1/x HTTP/1.1', { headers: { 'x-route': 'service1' } }) },
  { name: 'merged slashes', request: `GET //service//1//x HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /service/1/x HTTP/1.1', { headers: { 'x-route': 'service1' } }) },
  { name: 'characters a path may not carry raw', request: `GET /service/1/a"b<c>{d}^e\`f HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /service/1/a%22b%3Cc%3E%7Bd%7D%5Ee%60f HTTP/1.1') },
  { name: 'fragment', request: `GET /service/1/x#frag HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  { name: 'fragment after a query', request: `GET /service/1/x?a=1#frag HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  {
    name: 'raw non-ASCII byte in the path',
    request: `GET /service/1/caf\xe9 HTTP/1.1\r\n${H}\r\n`,
    // Bun re-encodes the byte as U+FFFD (README limits); Deno refuses it.
    expect: { bun: ok('GET /service/1/caf%EF%BF%BD HTTP/1.1'), deno: rejected },
  },
  { name: 'target without a leading slash', request: `GET service/1/x HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  // Sizes against max_request_headers_kb (60 KiB by default). Bun's own parser limit (16 KiB unless
  // told) is raised to twice the listener's, so edgeway answers and counts these 431s itself;
  // Deno's parser refuses heads of 64 KiB and more itself, with 400 (README limits).
  { name: 'headers over Bun\'s default limit, under the listener\'s (20 KiB)', request: `GET /service/1/a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-big': 'a'.repeat(20 * 1024) } }) },
  { name: 'headers just over the listener\'s limit (61 KiB)', request: `GET /service/1/a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(61 * 1024)}\r\n\r\n`, expect: { status: 431 } },
  { name: 'request line over the listener\'s limit (61 KiB)', request: `GET /service/1/${'a'.repeat(61 * 1024)} HTTP/1.1\r\n${H}\r\n`, expect: { status: 431 } },
  { name: 'headers over Deno\'s parser limit (70 KiB)', request: `GET /service/1/a HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`, expect: { bun: { status: 431 }, deno: rejected } },
  // Field counts against max_request_headers_count (Envoy's max_headers_count, 100 by default),
  // Host included; a head past what the runtime's own server admits is pinned in runtime-limits.
  { name: '100 header fields', request: `GET /service/1/a HTTP/1.1\r\n${H}${fieldLines(99)}\r\n`, expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-f98': '98' } }) },
  { name: '101 header fields', request: `GET /service/1/a HTTP/1.1\r\n${H}${fieldLines(100)}\r\n`, expect: { status: 431 } },
  // The runtimes join repeats of a name before edgeway sees the head: one field (README limits; Envoy counts 120).
  { name: '120 lines of one name', request: `GET /service/1/a HTTP/1.1\r\n${H}${'X-Same: 1\r\n'.repeat(120)}\r\n`, expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-same': Array(120).fill('1').join(', ') } }) },
  // CONNECT: no listener tunnels; no route matches its empty path (the suite's are prefixes), so
  // 404 as Envoy answers, with `connection: close` (its next bytes would be the tunnel's), which
  // Deno sends but does not act on (README limits; runtime-limits pins what follows on Deno).
  { name: 'CONNECT to an authority', request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', expect: { bun: { status: 404, closes: true }, deno: { status: 404 } } },
  { name: 'CONNECT without a port', request: 'CONNECT example.com HTTP/1.1\r\nHost: example.com\r\n\r\n', expect: rejected },
  // Methods.
  {
    name: 'unknown method',
    request: `FOO /service/1/a HTTP/1.1\r\n${H}\r\n`,
    // Bun's server closes the connection on methods it does not know (README limits).
    expect: { bun: { status: 'closed' }, deno: ok('FOO /service/1/a HTTP/1.1', { headers: { 'transfer-encoding': null } }) },
  },
  {
    name: 'lower-case method',
    request: `get /service/1/a HTTP/1.1\r\n${H}\r\n`,
    expect: { bun: { status: 'closed' }, deno: ok('get /service/1/a HTTP/1.1', { headers: { 'transfer-encoding': null } }) },
  },
  {
    name: 'TRACE with a body',
    request: `TRACE /service/1/a HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`,
    // Bun's Request drops TRACE bodies (README limits); Deno forwards them.
    expect: { bun: ok('TRACE /service/1/a HTTP/1.1', { headers: noFraming }), deno: ok('TRACE /service/1/a HTTP/1.1', { body: 'abc', headers: { 'content-length': '3' } }) },
  },
]
