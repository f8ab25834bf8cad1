// HTTP/1.1 bytes for an upstream client that owns its sockets: the request head, the response
// head and how the response body is framed (RFC 9112 §6.3). Pure: no sockets, no runtime APIs.
// Anything it cannot frame with certainty is an Http1ParseError (a protocol error), never a guess.

import { decodeLatin1 } from './latin1.ts'
import { headEnd, refusedByte } from './head-scan.ts'
import { COMMON_NAMES, knownNameIndex, lowerCased } from './field-names.ts'
import { MAX_RESPONSE_HEAD_BYTES, MAX_RESPONSE_HEADERS } from './limits.ts'

/** How the response body ends; `none` also covers HEAD, 1xx, 204 and 304. */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' }

export type ResponseHead = {
  readonly status: number
  readonly statusText: string
  /**
   * Lower-cased names and their values, alternating (name, value, name, value…), in arrival order;
   * repeated names (set-cookie) stay separate. One flat array, not a pair per field (three arrays
   * fewer for a three-field head), and the record's own (ResponseHeadRecord): valid until the next
   * head is parsed into the same record.
   */
  readonly headers: string[]
  /** Bytes taken by the head, CRLF CRLF included. */
  readonly headBytes: number
  readonly framing: BodyFraming
  /** False when either side asked to close or the upstream speaks HTTP/1.0 without keep-alive. */
  readonly keepAlive: boolean
  /**
   * Some field in `headers` is hop-by-hop (HOP_BY_HOP_FIELDS, Connection among them): a proxy must
   * walk them before forwarding. False lets it hand the fields on as they are.
   */
  readonly hopByHop: boolean
}

/** Framings without fields, shared: a head allocates only what it must. */
const NO_BODY: BodyFraming = { kind: 'none' }
const CHUNKED: BodyFraming = { kind: 'chunked' }
const UNTIL_CLOSE: BodyFraming = { kind: 'close' }

export class Http1ParseError extends Error {}

/**
 * What parseResponseHead fills in: the response reader keeps one and parses every head it reads
 * into it (two objects fewer a response: the head and a content-length framing), so a head is
 * valid until the next one is parsed into the same record.
 */
export class ResponseHeadRecord implements ResponseHead {
  status = 0
  statusText = ''
  readonly headers: string[] = []
  headBytes = 0
  framing: BodyFraming = NO_BODY
  keepAlive = false
  hopByHop = false
  /** The framing of a content-length head, its length set per head. */
  readonly lengthFraming: { kind: 'length'; length: number } = { kind: 'length', length: 0 }
}

/** How a request body is framed on the wire: no body, a content-length, or chunked. */
export type RequestFraming = 'none' | 'chunked' | number

// tchar (RFC 9110 §5.6.2) by character code; a table beats a regex call per header on V8. Upper-case
// letters are 2, so one pass both checks a field name and says whether it needs lower-casing.
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') TCHAR[c.charCodeAt(0)] = 2

/** A field name or token: one or more tchars. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false
  // a code above 0xFF reads undefined: not a tchar either
  for (let i = 0; i < text.length; i++) {
    const kind = TCHAR[text.charCodeAt(i)]
    if (kind !== 1 && kind !== 2) return false
  }
  return true
}
const OWS_EDGES = /^[ \t]+|[ \t]+$/g

/**
 * The hop-by-hop fields of RFC 9110 §7.6.1 (the proxy's list, src/proxy/headers/hop-by-hop.ts;
 * codec.test.ts keeps the two equal). Transfer-Encoding is never in a parsed head's fields.
 */
export const HOP_BY_HOP_FIELDS: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'])

// What parseResponseHead does with a field, by name: read it (its length, codings, connection
// options), note it as hop-by-hop, or only hand it on. The common names' roles are one table.
const PLAIN = 0
const LENGTH = 1
const CODINGS = 2
const CONNECTION = 3
const HOP_BY_HOP = 4
function roleOf(lower: string): number {
  if (lower === 'content-length') return LENGTH
  if (lower === 'transfer-encoding') return CODINGS
  if (lower === 'connection') return CONNECTION
  return HOP_BY_HOP_FIELDS.has(lower) ? HOP_BY_HOP : PLAIN
}
const COMMON_ROLES = Uint8Array.from(COMMON_NAMES, roleOf)

/**
 * Parses a response head from `bytes`; undefined until the blank line has arrived. `scanFrom`:
 * bytes before it were scanned by an earlier call (a head arriving in pieces is scanned once).
 * `into`: the record the head is parsed into (what it held before is replaced).
 * One pass over the decoded text by index: no array of lines, and one string per name and value
 * (a split into lines, a regex per status line and a trim per value cost ~3x as much on Bun).
 */
export function parseResponseHead(bytes: Uint8Array, method: string, scanFrom = 0, into: ResponseHeadRecord = new ResponseHeadRecord()): ResponseHead | undefined {
  const end = headEnd(bytes, Math.max(0, scanFrom - 3))
  if (end < -1) throw new Http1ParseError(`${refusedByte(bytes, -2 - end)} in the response head`)
  if (end < 0) {
    if (bytes.byteLength > MAX_RESPONSE_HEAD_BYTES) throw new Http1ParseError('response head too large')
    return undefined
  }
  if (end + 4 > MAX_RESPONSE_HEAD_BYTES) throw new Http1ParseError('response head too large')
  const text = decodeLatin1(bytes, 0, end)
  const n = text.length
  // headEnd refused every CR not followed by LF: a CR ends a line.
  let eol = text.indexOf('\r')
  if (eol < 0) eol = n
  const status = statusOf(text, eol)
  const statusText = eol > 12 ? text.slice(13, eol) : ''
  const http10 = text.charCodeAt(7) === 48
  const { headers } = into
  // Written by index and cut to length once at the end: V8 drops an array's storage when its
  // length is set to 0, so emptying it first would allocate again on every head.
  let count = 0
  let length: number | undefined
  let codings: string[] | undefined
  let connection = ''
  let hopByHop = false
  for (let start = eol + 2; start < n; start = eol + 2) {
    eol = text.indexOf('\r', start)
    if (eol < 0) eol = n
    if (count >= 2 * MAX_RESPONSE_HEADERS) throw new Http1ParseError(`more than ${MAX_RESPONSE_HEADERS} response headers`)
    const first = text.charCodeAt(start)
    // obs-fold: a proxy may not unfold it silently (RFC 9112 §5.2); Envoy answers 503.
    if (first === 32 || first === 9) throw new Http1ParseError('folded header line (obs-fold)')
    const colon = text.indexOf(':', start)
    if (colon <= start || colon > eol) throw malformedLine(text, start, eol)
    // A common name is matched first: a match is a token already (knownNameIndex), so its tchar
    // loop and its hop-by-hop lookup are skipped (bench/README.md, parse16).
    const common = knownNameIndex(text, start, colon)
    let lower: string
    let role: number
    if (common >= 0) {
      lower = COMMON_NAMES[common]!
      role = COMMON_ROLES[common]!
    } else {
      // The name must be a token; upper-case letters are noted so only such names are lower-cased.
      let upper = false
      for (let i = start; i < colon; i++) {
        const kind = TCHAR[text.charCodeAt(i)]
        if (kind === 2) upper = true
        else if (kind !== 1) throw malformedLine(text, start, eol)
      }
      lower = upper ? lowerCased(text.slice(start, colon)) : text.slice(start, colon)
      role = roleOf(lower)
    }
    // OWS is SP and HTAB only (trim() would also take 0xA0, an obs-text byte).
    let from = colon + 1
    let to = eol
    while (from < to && isOws(text.charCodeAt(from))) from++
    while (to > from && isOws(text.charCodeAt(to - 1))) to--
    const value = text.slice(from, to)
    if (role === PLAIN) {
      // most fields: nothing to read in them
    } else if (role === LENGTH) {
      // One length, a plain decimal: a list ("5, 5") or a repeat is how responses get split.
      if (length !== undefined) throw new Http1ParseError('repeated content-length')
      length = decimalAt(text, from, to)
      if (length < 0) throw new Http1ParseError(`bad content-length: ${JSON.stringify(value.slice(0, 40))}`)
    } else if (role === CODINGS) {
      codings ??= []
      for (const element of value.split(',')) {
        const coding = element.replace(OWS_EDGES, '').toLowerCase()
        if (coding === '') continue // empty list elements are allowed (RFC 9110 §5.6.1)
        const semicolon = coding.indexOf(';')
        const name = semicolon < 0 ? coding : coding.slice(0, semicolon).replace(OWS_EDGES, '')
        // chunked takes no parameters: "chunked;x" read as chunked by one hop and not another splits responses.
        if (!isToken(name) || (name === 'chunked' && semicolon >= 0)) throw new Http1ParseError(`bad transfer-coding: ${JSON.stringify(coding.slice(0, 40))}`)
        codings.push(name)
      }
      continue // hop-by-hop; the body is handed on de-chunked
    } else if (role === CONNECTION) {
      connection += `${value.toLowerCase()},`
      hopByHop = true
    } else hopByHop = true
    headers[count++] = lower
    headers[count++] = value
  }
  if (headers.length !== count) headers.length = count
  const noBody = method === 'HEAD' || status < 200 || status === 204 || status === 304
  let framing: BodyFraming
  if (noBody) framing = NO_BODY
  else if (codings !== undefined) {
    // Envoy refuses a message with both (allow_chunked_length off): one of them is a lie.
    if (length !== undefined) throw new Http1ParseError('both transfer-encoding and content-length')
    if (codings.length === 0) throw new Http1ParseError('empty transfer-encoding')
    const chunkedAt = codings.indexOf('chunked')
    if (chunkedAt >= 0 && chunkedAt !== codings.lastIndexOf('chunked')) throw new Http1ParseError('chunked applied twice')
    // RFC 9112 §6.3: chunked must be the final coding, else the body runs until the close.
    framing = chunkedAt === codings.length - 1 ? CHUNKED : UNTIL_CLOSE
  } else if (length !== undefined) {
    framing = into.lengthFraming
    into.lengthFraming.length = length
  } else framing = UNTIL_CLOSE
  const keepAlive = connection === '' ? !http10 : http10 ? /(^|[\s,])keep-alive\s*,/.test(connection) : !/(^|[\s,])close\s*,/.test(connection)
  into.status = status
  into.statusText = statusText
  into.headBytes = end + 4
  into.framing = framing
  into.keepAlive = keepAlive && framing.kind !== 'close'
  into.hopByHop = hopByHop
  return into
}

/**
 * The status code of `HTTP/1.0` or `HTTP/1.1`, SP, three digits, then the end of the line or SP and
 * a reason phrase (control bytes were refused by headEnd); Http1ParseError for anything else.
 */
function statusOf(text: string, eol: number): number {
  const d0 = text.charCodeAt(9) - 48
  const d1 = text.charCodeAt(10) - 48
  const d2 = text.charCodeAt(11) - 48
  const version = text.charCodeAt(7)
  const shaped =
    eol >= 12 &&
    text.startsWith('HTTP/1.') &&
    (version === 48 || version === 49) &&
    text.charCodeAt(8) === 32 &&
    d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9 &&
    (eol === 12 || text.charCodeAt(12) === 32)
  if (!shaped) throw new Http1ParseError(`malformed status line: ${JSON.stringify(text.slice(0, Math.min(eol, 80)))}`)
  const status = d0 * 100 + d1 * 10 + d2
  if (status < 100 || status > 599) throw new Http1ParseError(`status code out of range: ${status}`)
  return status
}

/**
 * The value of `text[from, to)` when it is one to fifteen ASCII digits (a content-length), else -1:
 * read in the loop that checks it (a regex call, or Number() after the check, cost more). Fifteen
 * digits stay below 2^53, so the sum is exact.
 */
function decimalAt(text: string, from: number, to: number): number {
  if (to === from || to - from > 15) return -1
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

function isOws(code: number): boolean {
  return code === 32 || code === 9
}

function malformedLine(text: string, start: number, eol: number): Http1ParseError {
  return new Http1ParseError(`malformed header line: ${JSON.stringify(text.slice(start, Math.min(eol, start + 80)))}`)
}

const encoder = new TextEncoder()

/** One chunk of a request body in chunked framing. */
export function encodeChunk(data: Uint8Array): Uint8Array {
  const size = encoder.encode(`${data.byteLength.toString(16)}\r\n`)
  const out = new Uint8Array(size.byteLength + data.byteLength + 2)
  out.set(size)
  out.set(data, size.byteLength)
  out[out.byteLength - 2] = 13
  out[out.byteLength - 1] = 10
  return out
}

export const LAST_CHUNK = encoder.encode('0\r\n\r\n')
