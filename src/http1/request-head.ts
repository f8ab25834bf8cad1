// A downstream HTTP/1.1 request head from bytes (RFC 9112 §2-5), for a byte-level listener that
// owns its sockets: the request line, the fields in one flat array, and what the proxy path reads
// on arrival noted in the same pass. Hardened as codec.ts is for responses: control bytes, bare CR
// or LF, obs-fold, non-token names, whitespace before the colon, a missing or repeated Host and the
// limits are refused with a RequestHeadError carrying the status to answer. Framing (Content-Length,
// Transfer-Encoding) is noted, not judged: src/proxy/request-framing.ts decides it, as for the
// runtimes' servers. Pure: no sockets, no runtime APIs. Not wired into any listener yet (stop 31):
// the runtimes' own HTTP servers still parse every request (docs/architecture/byte-listener.md).

import { HOP_BY_HOP_FIELDS } from './codec.ts'
import { knownRequestName, lowerCased } from './field-names.ts'
import { decodeLatin1 } from './latin1.ts'
import { RequestHeadError, invalidCharacters, malformed } from './request-head-error.ts'
import { rawHeadBytesCap, type RequestHeadLimits } from './request-head-limits.ts'
import { headEnd, refusedByte } from './head-scan.ts'
import { lineStart } from './request-head-scan.ts'
import { parseRequestLine, type RequestLine, type TargetForm } from './request-line.ts'

/**
 * One request head. A connection keeps one and parses every head into it (the proxy copies what
 * it keeps, as HeaderSnapshot copies the fields): valid until the next head is parsed into it.
 */
export class RequestHeadRecord implements RequestLine {
  method = ''
  /** The request target as sent (no normalisation, no decoding). */
  target = ''
  targetForm: TargetForm = 'origin'
  version: 10 | 11 = 11
  /**
   * Lower-cased names and their values (OWS trimmed), alternating, in arrival order; repeats stay
   * separate. Lower-cased because HeaderSnapshot (header-snapshot.ts) takes names
   * from forEach as they are and finds them by ===, as a Headers' forEach hands them over.
   */
  readonly fields: string[] = []
  /** Bytes the head took: empty lines before the request line and the final blank line included. */
  headBytes = 0
  /** The size Envoy counts against max_request_headers_kb: name, value and 4 per field (as scanRequestHeaders). */
  headerBytes = 0
  /** The Host field's value; null when absent (HTTP/1.0 only: HTTP/1.1 without one is refused). */
  host: string | null = null
  /** Content-Length and Transfer-Encoding as Headers.get answers them (repeats joined by ", "): what framingErrorOf takes. */
  contentLength: string | null = null
  transferEncoding: string | null = null
  upgrade: string | null = null
  expect: string | null = null
  /** Connection tokens: `close`, `keep-alive`, `upgrade` (any case, any list element). */
  connectionClose = false
  connectionKeepAlive = false
  connectionUpgrade = false
  /** The connection may carry another request after this one (RFC 9112 §9.3: 1.1 unless close, 1.0 only with keep-alive). */
  keepAlive = true
  /** Some field is hop-by-hop (HOP_BY_HOP_FIELDS): the proxy must walk them before forwarding. */
  hopByHop = false

  /** Headers.forEach's shape: HeaderSnapshot's constructor takes the fields from it. */
  forEach(callback: (value: string, name: string) => void, thisArg?: unknown): void {
    const fields = this.fields
    for (let i = 0; i < fields.length; i += 2) callback.call(thisArg, fields[i + 1]!, fields[i]!)
  }
}

// tchar by character code; upper-case letters are 2, so one pass checks a name and says whether it needs lower-casing.
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') TCHAR[c.charCodeAt(0)] = 2

/**
 * Parses the request head at the start of `bytes` into `into`; undefined until its blank line has
 * arrived (then call again with more bytes: `scanFrom`, the length already scanned, keeps a head
 * arriving in pieces scanned once). Bytes after `into.headBytes` are the body or the next request.
 * Throws RequestHeadError, and nothing else, for anything it does not serve.
 */
export function parseRequestHead(bytes: Uint8Array, limits: RequestHeadLimits, into: RequestHeadRecord, scanFrom = 0): RequestHeadRecord | undefined {
  const start = lineStart(bytes)
  if (start < 0) {
    // empty lines count against the cap too: a client sending only CRLFs must not grow the buffer forever
    if (bytes.byteLength > rawHeadBytesCap(limits)) throw tooLarge(bytes, 0, limits)
    return undefined
  }
  const end = headEnd(bytes, Math.max(start, scanFrom - 3))
  if (end < -1) throw invalidCharacters(`${refusedByte(bytes, -2 - end)} in the request head`)
  if (end < 0) {
    if (bytes.byteLength > rawHeadBytesCap(limits)) throw tooLarge(bytes, start, limits)
    return undefined
  }
  if (end + 4 > rawHeadBytesCap(limits)) throw tooLarge(bytes, start, limits)
  const text = decodeLatin1(bytes, start, end)
  const n = text.length
  // headEnd refused every CR not followed by LF and every LF not after a CR: a CR ends a line.
  let eol = text.indexOf('\r')
  if (eol < 0) eol = n
  parseRequestLine(text, 0, eol, limits, into)
  const fields = into.fields
  const maxFields = 2 * limits.maxRequestHeadersCount
  // Written by index and cut once at the end: emptying first would drop the array's storage on V8.
  let count = 0
  let headerBytes = 0
  let host: string | null = null
  let contentLength: string | null = null
  let transferEncoding: string | null = null
  let upgrade: string | null = null
  let expect: string | null = null
  let connection: string | null = null
  let hopByHop = false
  for (let lineAt = eol + 2; lineAt < n; lineAt = eol + 2) {
    eol = text.indexOf('\r', lineAt)
    if (eol < 0) eol = n
    if (count >= maxFields) throw new RequestHeadError(431, 'http1.too_many_headers', `more than ${limits.maxRequestHeadersCount} request headers`)
    const first = text.charCodeAt(lineAt)
    // obs-fold (RFC 9112 §5.2), or whitespace between the request line and the first field (§2.2): refused, never unfolded.
    if (first === 32 || first === 9) throw malformed('folded header line (obs-fold)')
    // A name is a token up to the colon: whitespace before it is refused (§5.1), as every other
    // non-tchar. The walk that checks the name finds the colon: one pass, not a search and a walk.
    let upper = false
    let colon = lineAt
    for (; colon < eol; colon++) {
      const kind = TCHAR[text.charCodeAt(colon)]
      if (kind === 1) continue
      if (kind === 2) upper = true
      else break
    }
    if (colon === lineAt || colon === eol || text.charCodeAt(colon) !== 58) throw malformedField(text, lineAt, eol)
    // OWS is SP and HTAB only (trim() would also take 0xA0, an obs-text byte). What is left is
    // field-vchar, SP and HTAB: headEnd refused every other control byte.
    let from = colon + 1
    let to = eol
    while (from < to && isOws(text.charCodeAt(from))) from++
    while (to > from && isOws(text.charCodeAt(to - 1))) to--
    const value = text.slice(from, to)
    const name = knownRequestName(text, lineAt, colon) ?? (upper ? lowerCased(text.slice(lineAt, colon)) : text.slice(lineAt, colon))
    headerBytes += name.length + value.length + 4
    switch (name) {
      case 'host':
        // Two Hosts are two authorities: which one a hop routes by is how requests get misrouted.
        if (host !== null) throw new RequestHeadError(400, 'http1.duplicate_host', 'more than one Host header')
        host = value
        break
      case 'content-length':
        contentLength = contentLength === null ? value : `${contentLength}, ${value}`
        break
      case 'transfer-encoding':
        transferEncoding = transferEncoding === null ? value : `${transferEncoding}, ${value}`
        hopByHop = true
        break
      case 'connection':
        connection = connection === null ? value : `${connection},${value}`
        hopByHop = true
        break
      case 'upgrade':
        upgrade = upgrade === null ? value : `${upgrade}, ${value}`
        hopByHop = true
        break
      case 'expect':
        expect = expect === null ? value : `${expect}, ${value}`
        break
      default:
        if (HOP_BY_HOP_FIELDS.has(name)) hopByHop = true
    }
    fields[count++] = name
    fields[count++] = value
  }
  if (fields.length !== count) fields.length = count
  const requestLine = into.method.length + into.target.length - (into.target.includes('?') ? 1 : 0)
  if (requestLine + headerBytes > limits.maxRequestHeadersBytes)
    throw new RequestHeadError(431, 'http1.headers_too_large', `request headers of ${requestLine + headerBytes} bytes, over ${limits.maxRequestHeadersBytes}`)
  // RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host.
  if (host === null && into.version === 11) throw new RequestHeadError(400, 'missing_host_header', 'missing Host header')
  into.headBytes = end + 4
  into.headerBytes = headerBytes
  into.host = host
  into.contentLength = contentLength
  into.transferEncoding = transferEncoding
  into.upgrade = upgrade
  into.expect = expect
  into.hopByHop = hopByHop
  noteConnection(into, connection)
  return into
}

/** The Connection tokens and what they mean for the connection. */
function noteConnection(into: RequestHeadRecord, connection: string | null): void {
  let close = false
  let keepAlive = false
  let upgrade = false
  if (connection !== null) {
    // Most clients send one token, spelled one of a few ways: no split, no regex, no new string.
    const one = ONE_TOKEN.get(connection)
    if (one !== undefined) {
      close = one === 'close'
      keepAlive = one === 'keep-alive'
      upgrade = one === 'upgrade'
    } else {
      for (const element of connection.split(',')) {
        const token = element.replace(OWS_EDGES, '').toLowerCase()
        if (token === 'close') close = true
        else if (token === 'keep-alive') keepAlive = true
        else if (token === 'upgrade') upgrade = true
      }
    }
  }
  into.connectionClose = close
  into.connectionKeepAlive = keepAlive
  into.connectionUpgrade = upgrade
  into.keepAlive = !close && (into.version === 11 || keepAlive)
}

const ONE_TOKEN = new Map<string, string>()
for (const token of ['close', 'keep-alive', 'upgrade']) {
  for (const spelling of [token, token.toUpperCase(), token.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase())]) ONE_TOKEN.set(spelling, token)
}

const OWS_EDGES = /^[ \t]+|[ \t]+$/g

function isOws(code: number): boolean {
  return code === 32 || code === 9
}

/** The head never ended within the cap: 414 when even the request line did not (and a target limit is set), else 431. */
function tooLarge(bytes: Uint8Array, start: number, limits: RequestHeadLimits): RequestHeadError {
  const lineEnded = bytes.indexOf(13, start) >= 0
  if (!lineEnded && limits.maxTargetBytes !== undefined) return new RequestHeadError(414, 'http1.target_too_long', 'request line never ended within the head limit')
  return new RequestHeadError(431, 'http1.headers_too_large', `request head over ${rawHeadBytesCap(limits)} bytes`)
}

function malformedField(text: string, start: number, eol: number): RequestHeadError {
  return malformed(`malformed header line: ${JSON.stringify(text.slice(start, Math.min(eol, start + 80)))}`)
}
