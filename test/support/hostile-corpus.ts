// The hostile-request corpus: raw requests (framing, whitespace and control bytes, request targets,
// Host, sizes, methods) with what edgeway must answer and what the upstream must receive, per
// runtime where the runtimes' own HTTP/1.1 parsers differ (each difference is in README's limits),
// and for the byte-level listener (EDGEWAY_LISTENER=bytes: edgeway's own head parser on Bun) where
// its verdict differs from Bun.serve's, with why. Unless a case says otherwise, the byte listener
// must answer as Bun.serve does.
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
  /** The byte listener's verdict where it is not Bun.serve's, and why. */
  readonly bytes?: { readonly expect: Expectation; readonly why: string }
}

/** Bun.serve (`bun`), Deno.serve (`deno`), or the byte-level listener on Bun (`bytes`). */
export type ListenerKind = 'bun' | 'deno' | 'bytes'

export function expectationOf(hostile: HostileCase, listener: ListenerKind): Expectation {
  if (listener === 'bytes' && hostile.bytes !== undefined) return hostile.bytes.expect
  const runtime = listener === 'deno' ? 'deno' : 'bun'
  return 'status' in hostile.expect ? hostile.expect : hostile.expect[runtime]
}

const H = 'Host: x\r\n'
const rejected: Expectation = { status: 400 }
const ok = (line: string, extra: Omit<Forwarded, 'line'> = {}): Expectation => ({ status: 200, forwarded: { line, ...extra } })
const noFraming = { 'content-length': null, 'transfer-encoding': null }
/** A chunked POST whose body the decoder refuses once its head has gone upstream, maybe. */
const badChunks = {
  bun: { status: 400, forwarded: { line: 'POST /service/1/a HTTP/1.1' }, mayForward: true, mayTruncate: true, closes: true },
  deno: { status: 'closed', forwarded: { line: 'POST /service/1/a HTTP/1.1' }, mayForward: true, mayTruncate: true },
} as const satisfies { bun: Expectation; deno: Expectation }
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
    bytes: {
      expect: ok('POST /service/1/a HTTP/1.1', { body: 'abc', headers: { 'x-trailer': null } }),
      why: 'the body source parses the trailer section and drops it (RFC 9112 §7.1.2 lets a proxy discard trailers), as Deno: no race, the connection goes on',
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
    bytes: { expect: rejected, why: 'refused as Bun.serve refuses it (codec.ts refuses a bare LF in responses too), but as a malformed head: 400, not a version problem' },
  },
  { name: 'obs-text in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: caf\xe9\r\n\r\n`, expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-a': 'caf\xe9' } }) },
  { name: 'two spaces in the request line', request: `GET  /service/1/a HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  { name: 'HTTP/1.2', request: `GET /service/1/a HTTP/1.2\r\n${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected } },
  { name: 'tab in the request target', request: `GET /service/1/a\tb HTTP/1.1\r\n${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected }, bytes: { expect: rejected, why: 'the target is malformed, the version is fine: 400 as Deno' } },
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
    bytes: { expect: rejected, why: 'no URI holds a raw byte past 0x7E (RFC 3986 §2): 400 http1.invalid_url, as Deno; never rewritten into a path the client did not send' },
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
  {
    name: '120 lines of one name',
    request: `GET /service/1/a HTTP/1.1\r\n${H}${'X-Same: 1\r\n'.repeat(120)}\r\n`,
    expect: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-same': Array(120).fill('1').join(', ') } }),
    bytes: { expect: { status: 431 }, why: 'the parser counts field lines against max_request_headers_count, as Envoy does (http1.too_many_headers); the runtimes join repeats first' },
  },
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
    bytes: { expect: ok('FOO /service/1/a HTTP/1.1', { headers: { 'transfer-encoding': null } }), why: 'a method is any token (RFC 9110 §9.1), as Deno forwards it; framed like any bodiless request, so nothing can ride on it' },
  },
  {
    name: 'lower-case method',
    request: `get /service/1/a HTTP/1.1\r\n${H}\r\n`,
    expect: { bun: { status: 'closed' }, deno: ok('get /service/1/a HTTP/1.1', { headers: { 'transfer-encoding': null } }) },
    bytes: { expect: ok('get /service/1/a HTTP/1.1', { headers: { 'transfer-encoding': null } }), why: 'methods are case-sensitive tokens: `get` is a method of its own, forwarded as Deno does' },
  },
  {
    name: 'TRACE with a body',
    request: `TRACE /service/1/a HTTP/1.1\r\n${H}Content-Length: 3\r\n\r\nabc`,
    // Bun's Request drops TRACE bodies (README limits); Deno forwards them.
    expect: { bun: ok('TRACE /service/1/a HTTP/1.1', { headers: noFraming }), deno: ok('TRACE /service/1/a HTTP/1.1', { body: 'abc', headers: { 'content-length': '3' } }) },
    // Only GET and HEAD bodies are dropped by the path (request-body.ts); Bun's Request drops TRACE's itself.
    bytes: { expect: ok('TRACE /service/1/a HTTP/1.1', { body: 'abc', headers: { 'content-length': '3' } }), why: 'no Request in between: the body is forwarded with its length, as Deno forwards it' },
  },
  // More heads (the request-head differential's, moved here to run through every listener).
  // Bun.serve passes the DEL on in the value, and edgeway forwards it (README limits); Deno refuses it.
  { name: 'DEL in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\x7fc\r\n\r\n`, expect: { bun: ok('GET /service/1/a HTTP/1.1', { headers: { 'x-a': 'b\x7fc' } }), deno: rejected }, bytes: { expect: rejected, why: 'DEL is no field-vchar (RFC 9110 §5.5): refused as Deno refuses it, never forwarded' } },
  { name: 'DEL in the target', request: `GET /service/1/a\x7fb HTTP/1.1\r\n${H}\r\n`, expect: { bun: ok('GET /service/1/a%7Fb HTTP/1.1'), deno: rejected }, bytes: { expect: rejected, why: 'DEL is a control byte (RFC 5234 CTL), refused anywhere in the head (Bun.serve percent-encodes it)' } },
  { name: 'SOH in a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\x01c\r\n\r\n`, expect: rejected },
  { name: 'SOH in the target', request: `GET /service/1/a\x01b HTTP/1.1\r\n${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected }, bytes: { expect: rejected, why: 'a control byte is 400 (http1.invalid_characters), not a version problem' } },
  { name: 'LF alone inside a header value', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A: b\nc\r\n\r\n`, expect: rejected },
  { name: 'bare CR ending the request line', request: `GET /service/1/a HTTP/1.1\r${H}\r\n`, expect: { bun: { status: 505 }, deno: rejected }, bytes: { expect: rejected, why: 'the line is malformed: 400' } },
  { name: 'HTAB before the colon', request: `GET /service/1/a HTTP/1.1\r\n${H}X-A\t: b\r\n\r\n`, expect: rejected },
  { name: 'SP before the first field', request: `GET /service/1/a HTTP/1.1\r\n X-A: 1\r\n${H}\r\n`, expect: rejected },
  { name: 'HTTP/0.9 request line', request: 'GET /service/1/a\r\n\r\n', expect: { bun: { status: 505 }, deno: rejected }, bytes: { expect: rejected, why: 'no version at all is a malformed request line; 505 only for a well-formed HTTP/d.d not served' } },
  { name: 'empty line before the request line', request: `\r\nGET /service/1/a HTTP/1.1\r\n${H}\r\n`, expect: { bun: rejected, deno: ok('GET /service/1/a HTTP/1.1') }, bytes: { expect: ok('GET /service/1/a HTTP/1.1'), why: 'RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line (clients send one after a body); the request itself is whole' } },
  { name: 'method with a digit', request: `G3T /service/1/a HTTP/1.1\r\n${H}\r\n`, expect: { bun: rejected, deno: ok('G3T /service/1/a HTTP/1.1') }, bytes: { expect: ok('G3T /service/1/a HTTP/1.1'), why: 'a token all the same (RFC 9110 §9.1), forwarded as Deno does' } },
  // Deno.serve hands `*` over as the path `/*` and the route forwards it so (README limits).
  { name: 'OPTIONS *', request: `OPTIONS * HTTP/1.1\r\n${H}\r\n`, expect: { bun: rejected, deno: ok('OPTIONS /* HTTP/1.1') } },
  { name: 'GET *', request: `GET * HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  { name: 'authority-form on GET', request: `GET a.example:80 HTTP/1.1\r\n${H}\r\n`, expect: rejected },
  // Deno.serve takes the target's authority for the missing Host; Bun.serve and the parser want Host (RFC 9112 §3.2).
  { name: 'absolute-form without Host', request: 'GET http://x/service/1/a HTTP/1.1\r\n\r\n', expect: { bun: rejected, deno: ok('GET /service/1/a HTTP/1.1', { headers: { host: 'x' } }) } },
  { name: 'Host with a list', request: 'GET /service/1/a HTTP/1.1\r\nHost: a, b\r\n\r\n', expect: rejected },
  // Header injection through the target: the encoded CR LF stays encoded, no field appears.
  { name: 'percent-encoded CR LF in the target', request: `GET /service/1/a%0d%0aX-Injected:%201 HTTP/1.1\r\n${H}\r\n`, expect: ok('GET /service/1/a%0d%0aX-Injected:%201 HTTP/1.1', { headers: { 'x-injected': null } }) },
  { name: 'Transfer-Encoding: Chunked in capitals', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`, expect: ok('POST /service/1/a HTTP/1.1', { body: 'abc' }) },
  { name: 'Content-Length with leading zeros', request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 003\r\n\r\nabc`, expect: ok('POST /service/1/a HTTP/1.1', { body: 'abc' }) },
  // A chunk size the decoder refuses: the head may be on its way upstream already (the body streams),
  // never a body after it. Bun's path answers 400; Deno.serve closes without an answer.
  {
    name: 'chunk size with 0x',
    request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n`,
    expect: badChunks,
  },
  // Chunked bodies the decoder refuses after the head was taken (the body streams: the head may be upstream already, never a whole body after it).
  { name: 'chunk size past 2^64', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n10000000000000003\r\nabc\r\n0\r\n\r\n`, expect: badChunks },
  { name: 'chunk data longer than its size', request: `POST /service/1/a HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n`, expect: badChunks },
  // A refused head with a request behind it in the same bytes: the one behind is never read.
  {
    name: 'Content-Length with Transfer-Encoding, a request behind it',
    request: `POST /service/1/a HTTP/1.1\r\n${H}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /service/1/smuggled HTTP/1.1\r\n${H}\r\n`,
    expect: rejected,
  },
]
