// The path, query and fragment of a request URL as the WHATWG URL parser leaves them for an
// http(s) URL (the "special" scheme rules): `\` read as `/`, dot-segments (`.`, `..`, `%2e` in any
// case) removed, the bytes a path, a query or a fragment may not carry raw percent-encoded, and
// nothing else touched (`%zz`, `%2F`, `//`, `;params` stay). This is what Bun's server does to every
// request target before the proxy path sees it; request-url.ts runs it only on the targets its
// one-pass check cannot pass as they are. Input: what the request-head parser accepted (VCHAR
// only, so no C0 control, space or byte past 0x7E is left to encode).

// What each part percent-encodes among VCHAR (the WHATWG path, special-query and fragment
// percent-encode sets, restricted to what the parser lets through).
const PATH_ENCODE = new Uint8Array(128)
for (const c of '"<>^`{}') PATH_ENCODE[c.charCodeAt(0)] = 1
const QUERY_ENCODE = new Uint8Array(128)
for (const c of `"<>'`) QUERY_ENCODE[c.charCodeAt(0)] = 1
const FRAGMENT_ENCODE = new Uint8Array(128)
for (const c of '"<>`') FRAGMENT_ENCODE[c.charCodeAt(0)] = 1

/** `target` starts with `/`: the canonical `/path?query#fragment`. */
export function canonicalTarget(target: string): string {
  const n = target.length
  // The path so far, `/segment` each: popping a segment cuts at its `/` (no array, no join).
  let path = ''
  // A segment is sliced from the target; `encoded` holds its start when a byte had to be encoded.
  let run = 1
  let encoded = ''
  let i = 1
  for (; ; i++) {
    const code = i < n ? target.charCodeAt(i) : -1
    const slash = code === 47 || code === 92 /* \ */
    if (slash || code === -1 || code === 63 /* ? */ || code === 35 /* # */) {
      const segment = encoded === '' ? target.slice(run, i) : encoded + target.slice(run, i)
      const dots = dotSegment(segment)
      if (dots === 2) {
        path = path.slice(0, Math.max(0, path.lastIndexOf('/')))
        if (!slash) path += '/'
      } else if (dots === 1) {
        if (!slash) path += '/'
      } else path += `/${segment}`
      run = i + 1
      encoded = ''
      if (!slash) break
    } else if (PATH_ENCODE[code] === 1) {
      encoded += target.slice(run, i) + percentEncoded(code)
      run = i + 1
    }
  }
  let url = path === '' ? '/' : path
  if (i >= n) return url
  if (target.charCodeAt(i) === 63) {
    const hash = target.indexOf('#', i)
    const end = hash < 0 ? n : hash
    url += encodedPart(target, i, end, QUERY_ENCODE)
    i = end
  }
  if (i < n) url += encodedPart(target, i, n, FRAGMENT_ENCODE)
  return url
}

/** 1 for `.` or `%2e`, 2 for `..` in any mix of `.` and `%2e` (any case), else 0. */
function dotSegment(segment: string): 0 | 1 | 2 {
  const length = segment.length
  if (length === 0 || length > 6) return 0
  let dots = 0
  for (let i = 0; i < length; ) {
    if (segment.charCodeAt(i) === 46) i += 1
    else if (segment.charCodeAt(i) === 37 && segment.charCodeAt(i + 1) === 50 && (segment.charCodeAt(i + 2) | 0x20) === 101) i += 3
    else return 0
    dots++
  }
  return dots === 1 ? 1 : dots === 2 ? 2 : 0
}

function encodedPart(text: string, from: number, to: number, set: Uint8Array): string {
  let out = ''
  let run = from
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i)
    if (set[code] !== 1) continue
    out += text.slice(run, i) + percentEncoded(code)
    run = i + 1
  }
  return run === from ? text.slice(from, to) : out + text.slice(run, to)
}

function percentEncoded(code: number): string {
  return `%${code.toString(16).toUpperCase().padStart(2, '0')}`
}
