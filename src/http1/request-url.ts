// The `url` a byte-level listener hands the proxy path for a parsed request head: the string
// Bun's server's Request carries for the same head, so that routing, rewrites and the forwarded
// bytes do not depend on which listener served the request. Bun builds it as
// `scheme://` + Host + the origin part of the target and runs WebKit's URL parser over it (bench/README.md,
// stop 33, lists what that does to each class of target); the common request (a plain path, a
// lower-case Host) needs none of that work, so one pass over each checks it and the URL is a
// concatenation. Differential-tested against a bare Bun's server (test/integration/request-url-differential.test.ts).

import { RequestHeadError } from './request-head-error.ts'
import type { RequestHeadRecord } from './request-head.ts'
import { canonicalAuthority } from './url-host.ts'
import { canonicalTarget } from './url-path.ts'

export type UrlScheme = 'http' | 'https'

/**
 * The `url` Bun's server's Request would carry for this head on a listener of `scheme`, or the
 * RequestHeadError (400, `http1.invalid_url`) Bun's server answers itself: `OPTIONS *`.
 *
 * Where it differs from Bun's server on purpose: a Host that passes Bun's own check but that the URL
 * parser refuses (`x:99999`, `a.1`, `a%2Fb`) makes Bun keep the whole URL unparsed, so the path
 * reaches the proxy with its dot-segments, `\` and raw bytes; here the path is made canonical
 * whatever the Host says (a Host must not decide how a path is read). And an absolute-form target
 * whose authority is followed by a fragment (`http://a#f/x`): Bun drops the fragment's start and
 * routes what follows its first `/` (`/x`); here it stays a fragment (`/#f/x`), which the path
 * refuses with 400 as it refuses any fragment, as Envoy does.
 */
export function requestUrl(record: RequestHeadRecord, scheme: UrlScheme): string | RequestHeadError {
  const form = record.targetForm
  const target = record.target
  // CONNECT's authority and `*` never start with `/`: Bun hands the one over as sent and refuses the other.
  if (form === 'authority') return target
  if (form === 'asterisk') return new RequestHeadError(400, 'http1.invalid_url', 'asterisk-form request target')
  const origin = form === 'absolute' ? originOfAbsolute(target) : target
  const host = record.host
  if (host === null) return origin
  let authority: string | null
  if (host === lastHost && scheme === lastScheme) authority = lastAuthority
  else {
    authority = authorityOf(host, scheme)
    lastHost = host
    lastScheme = scheme
    lastAuthority = authority
  }
  // Without a Host Bun can use, the URL is the target as sent, unparsed (the path answers 400 for
  // a missing or invalid Host, so only the access log reads it).
  if (authority === null) return origin
  return `${scheme}://${authority}${isPlainTarget(origin) ? origin : canonicalTarget(origin)}`
}

/**
 * The last Host, its scheme and the authority made of it: a connection's client sends the same
 * Host request after request, so the common Host costs one string compare (~5 ns, against ~50 for
 * isPlainHost's pass and 100-300 for the canonical one).
 */
let lastHost: string | undefined
let lastScheme: UrlScheme | undefined
let lastAuthority: string | null = null

/** The URL's authority for a Host: the Host itself when already canonical; null when Bun would not use it. */
function authorityOf(host: string, scheme: UrlScheme): string | null {
  if (isPlainHost(host, scheme)) return host
  if (!usableHost(host)) return null
  return canonicalAuthority(host, scheme) ?? host
}

/**
 * What Bun's server keeps of an absolute-form target (the Host field, not the target's authority,
 * makes the URL's: edgeway routes by Host on every listener): from the first `/` or `?` after the
 * authority (a `?` gets a `/` before it), `/` when there is neither. A `#` there starts a fragment
 * (RFC 3986 §3.5) and is kept as one, where Bun would skip to a `/` inside it.
 */
function originOfAbsolute(target: string): string {
  const from = target.indexOf('://') + 3
  for (let i = from; i < target.length; i++) {
    const code = target.charCodeAt(i)
    if (code === 47) return target.slice(i)
    if (code === 63 || code === 35) return `/${target.slice(i)}`
  }
  return '/'
}

// Bytes that make Bun's server ignore the Host (its URL is then the target alone): empty, or a
// URL delimiter or a byte a URL may not carry, measured on Bun 1.4.5.
const UNUSABLE_HOST = new Uint8Array(256)
for (const c of ' \t"#/<>?@\\^`{|}') UNUSABLE_HOST[c.charCodeAt(0)] = 1
for (let c = 0x80; c < 256; c++) UNUSABLE_HOST[c] = 1

function usableHost(host: string): boolean {
  if (host.length === 0) return false
  for (let i = 0; i < host.length; i++) if (UNUSABLE_HOST[host.charCodeAt(i)] === 1) return false
  return true
}

// A Host the URL parser leaves as it is: lower-case letters, digits, `-`, `.`, `_`.
const PLAIN_NAME = new Uint8Array(128)
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-._') PLAIN_NAME[c.charCodeAt(0)] = 1

/**
 * One pass: a name of PLAIN_NAME bytes whose last label starts with a letter (else it may be an
 * IPv4 number form) or that is a dotted quad as the parser writes it, then no port or a port
 * without a leading zero that is not the scheme's default.
 */
function isPlainHost(host: string, scheme: UrlScheme): boolean {
  const n = host.length
  let i = 0
  let labelStart = 0
  let dots = 0
  let letters = false
  for (; i < n; i++) {
    const code = host.charCodeAt(i)
    if (code === 58) break
    if (code > 127 || PLAIN_NAME[code] !== 1) return false
    if (code === 46) {
      dots++
      labelStart = i + 1
    } else if (code > 57 || code < 48) letters = true
  }
  if (labelStart === i) return false // empty, or a trailing dot: the number check looks past it
  const first = host.charCodeAt(labelStart)
  if (first >= 48 && first <= 57 && (letters || dots !== 3 || !isDottedQuad(host, i))) return false
  if (i === n) return true
  // A port: 1-5 digits, no leading zero, at most 65535, not the default.
  const digits = n - i - 1
  if (digits < 1 || digits > 5 || host.charCodeAt(i + 1) === 48) return false
  let port = 0
  for (let j = i + 1; j < n; j++) {
    const digit = host.charCodeAt(j) - 48
    if (digit < 0 || digit > 9) return false
    port = port * 10 + digit
  }
  return port <= 65535 && port !== (scheme === 'http' ? 80 : 443)
}

/** `host[0, end)` holds digits and three dots: four parts of 0-255 without leading zeros. */
function isDottedQuad(host: string, end: number): boolean {
  let value = 0
  let length = 0
  for (let i = 0; i <= end; i++) {
    const code = i < end ? host.charCodeAt(i) : 46
    if (code === 46) {
      if (length === 0 || value > 255) return false
      value = 0
      length = 0
    } else {
      if (length === 1 && value === 0) return false
      value = value * 10 + code - 48
      length++
    }
  }
  return true
}

// Target bytes the URL parser changes or reads: in the path `"` `<` `>` `^` `` ` `` `{` `}`
// (encoded), `\` (a `/`), `%` and `.` (dot-segments: looked at more closely), `#` (a fragment);
// in the query `"` `'` `<` `>` (encoded) and `#`.
const PATH_WORK = new Uint8Array(128)
for (const c of '"<>^`{}\\%.#?') PATH_WORK[c.charCodeAt(0)] = 1
const QUERY_WORK = new Uint8Array(128)
for (const c of `"'<>#`) QUERY_WORK[c.charCodeAt(0)] = 1

/** One pass: true when the URL parser would leave `target` (which starts with `/`) as it is. */
function isPlainTarget(target: string): boolean {
  const n = target.length
  let i = 1
  for (; i < n; i++) {
    const code = target.charCodeAt(i)
    if (PATH_WORK[code] !== 1) continue
    if (code === 63) break
    if (code === 46) {
      // A dot changes nothing unless its segment is `.` or `..`.
      if (target.charCodeAt(i - 1) !== 47) continue
      const next = target.charCodeAt(i + 1)
      if (next === 46) {
        const after = target.charCodeAt(i + 2)
        if (i + 2 < n && after !== 47 && after !== 63 && after !== 35 && after !== 92 && after !== 37) continue
      } else if (i + 1 < n && next !== 47 && next !== 63 && next !== 35 && next !== 92 && next !== 37) continue
      return false
    }
    if (code === 37) {
      // `%2e` is a dot to the parser; any other escape stays as sent.
      if (target.charCodeAt(i + 1) === 50 && (target.charCodeAt(i + 2) | 0x20) === 101) return false
      continue
    }
    return false
  }
  for (; i < n; i++) if (QUERY_WORK[target.charCodeAt(i)] === 1) return false
  return true
}
