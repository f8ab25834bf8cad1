// The light floor's request-head reader (floor-listen-light.ts): the head parsed into one flat
// array (name, value, name, value…) with what the proxy path reads on arrival noted in the same
// pass (Host, Connection: close, a hop-by-hop field), as a byte-level core would hand it on. Still
// a bench tool: no bodies (content-length or transfer-encoding is refused), no obs-fold, 64 KiB of
// head and 100 fields at most, no URL normalisation; never a way to serve users.

import { HOP_BY_HOP_FIELDS } from '../../../src/http1/codec.ts'
import { lowerCased } from '../../../src/http1/field-names.ts'
import { decodeLatin1 } from '../../../src/http1/latin1.ts'
import { headEnd } from './floor-head.ts'

const MAX_FIELDS = 100

// tchar (RFC 9110 §5.6.2) by character code, as codec.ts checks response names.
const TCHAR = new Uint8Array(256)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1

/**
 * One request head. The reader keeps one and parses every head into it (the proxy copies what it
 * keeps, as HeaderSnapshot copies the fields): valid until the next head is read.
 */
export class LightRequestHead {
  method = ''
  target = ''
  /** Lower-cased names and their values, alternating, in arrival order. */
  readonly fields: string[] = []
  /** Bytes the head took, its blank line included. */
  length = 0
  host: string | null = null
  /** The client asked to close after this response. */
  close = false
  /** Some field is hop-by-hop: the proxy must walk them before forwarding. */
  hopByHop = false

  /** Headers.forEach's shape, so the proxy's HeaderSnapshot can take the fields from it. */
  forEach(callback: (value: string, name: string) => void, thisArg?: unknown): void {
    const fields = this.fields
    for (let i = 0; i < fields.length; i += 2) callback.call(thisArg, fields[i + 1]!, fields[i]!)
  }
}

function isOws(code: number): boolean {
  return code === 32 || code === 9
}

/** The head at the start of `bytes` into `into`; undefined until its blank line has arrived; 'bad' for what the floor does not serve. */
export function readLightHead(bytes: Uint8Array, into: LightRequestHead): LightRequestHead | undefined | 'bad' {
  const end = headEnd(bytes, 0)
  if (end < 0) return bytes.byteLength > 65_536 ? 'bad' : undefined
  const text = decodeLatin1(bytes, 0, end - 4)
  const n = text.length
  let eol = text.indexOf('\r')
  if (eol < 0) eol = n
  const sp1 = text.indexOf(' ')
  const sp2 = text.lastIndexOf(' ', eol)
  if (sp1 <= 0 || sp2 <= sp1 || sp2 + 9 !== eol || !text.startsWith('HTTP/1.1', sp2 + 1)) return 'bad'
  const fields = into.fields
  let count = 0
  let host: string | null = null
  let close = false
  let hopByHop = false
  for (let start = eol + 2; start < n; start = eol + 2) {
    eol = text.indexOf('\r', start)
    if (eol < 0) eol = n
    if (count >= 2 * MAX_FIELDS) return 'bad'
    const colon = text.indexOf(':', start)
    if (colon <= start || colon > eol) return 'bad'
    for (let i = start; i < colon; i++) if (TCHAR[text.charCodeAt(i)] !== 1) return 'bad'
    let from = colon + 1
    let to = eol
    while (from < to && isOws(text.charCodeAt(from))) from++
    while (to > from && isOws(text.charCodeAt(to - 1))) to--
    const name = lowerCased(text.slice(start, colon))
    const value = text.slice(from, to)
    if (name === 'content-length' || name === 'transfer-encoding') return 'bad'
    if (name === 'host') {
      if (host !== null) return 'bad'
      host = value
    } else if (name === 'connection') {
      hopByHop = true
      if (/(^|[\s,])close($|[\s,])/i.test(value)) close = true
    } else if (HOP_BY_HOP_FIELDS.has(name)) hopByHop = true
    fields[count++] = name
    fields[count++] = value
  }
  // Cut once (emptying first would drop the array's storage on V8, as codec.ts notes).
  if (fields.length !== count) fields.length = count
  into.method = text.slice(0, sp1)
  into.target = text.slice(sp1 + 1, sp2)
  into.length = end
  into.host = host
  into.close = close
  into.hopByHop = hopByHop
  return into
}
