// The request line (RFC 9112 §3): method SP request-target SP HTTP-version, one SP each, as the
// request-head parser (request-head.ts) reads it. Control bytes and bare CR/LF were refused by the
// head scan before this runs. The target's form is named, not normalised: what the path routes
// by (Host or the absolute-form authority, percent-encoding, dot-segments) stays the path's call.

import { RequestHeadError, malformed } from './request-head-error.ts'
import type { RequestHeadLimits } from './request-head-limits.ts'

/**
 * origin (`/path?query`), absolute (`http://authority/path`), asterisk (`*`, OPTIONS only),
 * authority (`host:port`, CONNECT only: RFC 9112 §3.2.3).
 */
export type TargetForm = 'origin' | 'absolute' | 'asterisk' | 'authority'

/** What the request line fills in; request-head.ts's record has these fields. */
export type RequestLine = {
  method: string
  target: string
  targetForm: TargetForm
  /** 11 for HTTP/1.1, 10 for HTTP/1.0: the only versions served. */
  version: 10 | 11
}

// tchar (RFC 9110 §5.6.2): a method is a token, any case (methods are case-sensitive; the path
// decides what an unknown or lower-case one gets, as Envoy forwards any token).
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1

/** Parses `text[start, eol)` into `into`; throws RequestHeadError (400, 414 or 505). */
export function parseRequestLine(text: string, start: number, eol: number, limits: RequestHeadLimits, into: RequestLine): void {
  const sp1 = text.indexOf(' ', start)
  if (sp1 <= start || sp1 >= eol) throw malformedLine(text, start, eol)
  for (let i = start; i < sp1; i++) if (TCHAR[text.charCodeAt(i)] !== 1) throw malformedLine(text, start, eol)
  const sp2 = text.indexOf(' ', sp1 + 1)
  // Two SPs in a row, or none after the target (HTTP/0.9's `GET /`): not a request line served here.
  if (sp2 <= sp1 + 1 || sp2 >= eol) throw malformedLine(text, start, eol)
  const version = versionOf(text, sp2 + 1, eol)
  const targetLength = sp2 - sp1 - 1
  if (limits.maxTargetBytes !== undefined && targetLength > limits.maxTargetBytes)
    throw new RequestHeadError(414, 'http1.target_too_long', `request target of ${targetLength} bytes, over ${limits.maxTargetBytes}`)
  // VCHAR only: no HTAB (SP already split the line) and no raw byte past 0x7E, which no URI holds
  // (RFC 3986 §2: it must arrive percent-encoded; Deno's server and llhttp's strict mode refuse it too).
  for (let i = sp1 + 1; i < sp2; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x21 || code > 0x7e) throw new RequestHeadError(400, 'http1.invalid_url', `invalid byte 0x${code.toString(16).padStart(2, '0')} in the request target`)
  }
  const method = text.slice(start, sp1)
  const target = text.slice(sp1 + 1, sp2)
  into.method = method
  into.target = target
  into.targetForm = formOf(method, target)
  into.version = version
}

/** `HTTP/1.1` or `HTTP/1.0`; another `HTTP/d.d` is 505, anything else 400 (the line is malformed). */
function versionOf(text: string, from: number, eol: number): 10 | 11 {
  const shaped =
    eol - from === 8 &&
    text.startsWith('HTTP/', from) &&
    isDigit(text.charCodeAt(from + 5)) &&
    text.charCodeAt(from + 6) === 46 &&
    isDigit(text.charCodeAt(from + 7))
  if (!shaped) throw malformed(`malformed HTTP version: ${JSON.stringify(text.slice(from, Math.min(eol, from + 20)))}`)
  const major = text.charCodeAt(from + 5)
  const minor = text.charCodeAt(from + 7)
  if (major === 49 && (minor === 49 || minor === 48)) return minor === 49 ? 11 : 10
  throw new RequestHeadError(505, 'http1.codec_error', `HTTP version ${text.slice(from + 5, eol)} is not supported`)
}

function formOf(method: string, target: string): TargetForm {
  const first = target.charCodeAt(0)
  if (method === 'CONNECT') {
    // CONNECT names an authority and nothing else; a path there is a request line that lies.
    if (isAuthorityForm(target)) return 'authority'
    throw invalidTarget(target)
  }
  if (first === 47 /* / */) return 'origin'
  if (target === '*') {
    if (method === 'OPTIONS') return 'asterisk'
    throw invalidTarget(target)
  }
  if (isAbsoluteForm(target)) return 'absolute'
  throw invalidTarget(target)
}

/** `http://` or `https://` (any case), a non-empty authority without userinfo, then a path, a query or nothing. */
function isAbsoluteForm(target: string): boolean {
  const scheme = target.indexOf('://')
  if (scheme !== 4 && scheme !== 5) return false
  const name = target.slice(0, scheme).toLowerCase()
  if (name !== 'http' && name !== 'https') return false
  let end = scheme + 3
  while (end < target.length) {
    const code = target.charCodeAt(end)
    if (code === 47 || code === 63 || code === 35) break
    // userinfo is deprecated in http(s) URIs (RFC 9110 §4.2.4) and a classic way to mislead a reader of the URL
    if (code === 64 /* @ */) return false
    end++
  }
  return end > scheme + 3
}

/** uri-host ":" port: no path, query, fragment or userinfo, and a port of one to five digits. */
function isAuthorityForm(target: string): boolean {
  const colon = target.lastIndexOf(':')
  if (colon <= 0 || colon === target.length - 1 || target.length - colon - 1 > 5) return false
  for (let i = colon + 1; i < target.length; i++) if (!isDigit(target.charCodeAt(i))) return false
  for (let i = 0; i < colon; i++) {
    const code = target.charCodeAt(i)
    if (code === 47 || code === 63 || code === 35 || code === 64) return false
  }
  return true
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

function invalidTarget(target: string): RequestHeadError {
  return new RequestHeadError(400, 'http1.invalid_url', `invalid request target: ${JSON.stringify(target.slice(0, 80))}`)
}

function malformedLine(text: string, start: number, eol: number): RequestHeadError {
  return malformed(`malformed request line: ${JSON.stringify(text.slice(start, Math.min(eol, start + 80)))}`)
}
