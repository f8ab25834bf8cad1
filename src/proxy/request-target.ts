// The authority, path and query a request is routed by, taken from what the runtime kept of the
// request target. Bun hands over `/path` alone (no authority) when Host is missing or invalid and
// Deno `http://<authority>/path`; cutting the path by position once dropped a segment. A missing,
// empty, invalid or repeated Host, and a target with a #fragment, are refused with 400 (Envoy).
// A CONNECT names only an authority (connectTarget).

export type RequestTarget = { readonly authority: string; readonly path: string; readonly query: string }
export type TargetError = { readonly code: string; readonly why: string }

export type PathOptions = { readonly normalizePath: boolean; readonly mergeSlashes: boolean }

// uri-host [":" port]: an IP literal, or reg-name characters without "," (a repeated Host arrives
// joined as "a, b") and without "@" (userinfo has no place in Host).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+;=%]+)(?::[0-9]{1,5})?$/

const CONNECT_PORT = /:[0-9]{1,5}$/

/** The last Host that passed HOST: clients send the same one request after request (a compare, not a regex run). */
let validHost: string | undefined

export function requestTarget(url: string, host: string | null): RequestTarget | TargetError {
  if (host === null) return { code: 'missing_host_header', why: 'missing Host header' }
  if (host !== validHost) {
    if (!HOST.test(host)) return { code: host.includes(',') ? 'http1.duplicate_host' : 'http1.invalid_authority', why: host.includes(',') ? 'more than one Host header' : 'invalid Host header' }
    validHost = host
  }
  // A validated Host holds no "/", so the first "/" after the scheme starts the target's path.
  const scheme = url.indexOf('://')
  const pathStart = url.charCodeAt(0) === 47 ? 0 : scheme < 0 ? -1 : url.indexOf('/', scheme + 3)
  if (pathStart < 0) return { code: 'http1.invalid_url', why: 'invalid request target' }
  if (url.includes('#', pathStart)) return { code: 'http1.invalid_url', why: 'fragment in request target' }
  const queryStart = url.indexOf('?', pathStart)
  return {
    authority: host,
    path: queryStart < 0 ? url.slice(pathStart) : url.slice(pathStart, queryStart),
    query: queryStart < 0 ? '' : url.slice(queryStart + 1),
  }
}

/**
 * A CONNECT's target: the authority it names (authority-form, RFC 9112 §3.2.3), routed as Envoy
 * routes it, by that authority with an empty path, so that only a route matching "" takes it; the
 * Host field does not count. Bun hands the target over as it came (`host:port`), Deno as
 * `http://host:port`. Any other form is refused with 400, as Envoy's codec refuses it.
 */
export function connectTarget(url: string): RequestTarget | TargetError {
  const scheme = url.indexOf('://')
  const authority = scheme < 0 ? url : url.slice(scheme + 3)
  // host:port, the port required (Envoy's codec parses a CONNECT's target so).
  if (!HOST.test(authority) || !CONNECT_PORT.test(authority)) return { code: 'http1.invalid_url', why: 'invalid CONNECT target' }
  return { authority, path: '', query: '' }
}

export function isTargetError(target: RequestTarget | TargetError): target is TargetError {
  return 'code' in target
}
