// The request head as bytes, written straight from its pieces into fresh space of a shared slab:
// the same bytes as encodeLatin1(requestHead(...)) (codec.ts, the reference; head-bytes.test.ts
// compares the two), without building the head as a string first. Building and encoding cost
// twice: the concatenated string is flattened by the encoder, and the encoder allocates a fresh
// ArrayBuffer per head, which on Deno costs ~350 ns by itself (Bun ~45). The slab and how it is
// carved: head-slab.ts.

import type { SplitFields } from '../runtime.ts'
import type { RequestFraming } from './codec.ts'
import { abandonHead, beginHead, composedView, endHead, put, putBytes, putCrlf } from './head-slab.ts'

export { composed, rangeWritten } from './head-slab.ts'

/** The fields written after the Headers' own (runtime.ts SplitFields: the proxy's, names the Headers do not hold). */
export type FieldBlock = Pick<SplitFields, 'prepared' | 'pairs'>

/** The head being written has a host field (forEach's callback sets it). */
let sawHost = false

function putField(value: string, name: string): void {
  if (name === 'content-length' || name === 'transfer-encoding' || name === 'connection' || name === 'keep-alive') return
  if (name === 'host') sawHost = true
  put(name)
  put(': ')
  put(value)
  putCrlf()
}

/**
 * requestHead (codec.ts) as bytes: the request line, the caller's fields but framing and
 * connection, then `block`'s, Host from `authority` when absent, the framing field; a view of the
 * slab. `then`: bytes to follow the head in the same view (a small request body, sent in the
 * head's write). The block holds the proxy's own fields (never Host or framing), written as they
 * are: it is not walked through a Headers, which on Bun makes two strings a field.
 */
export function requestHeadBytes(method: string, target: string, authority: string, headers: Headers, body: RequestFraming, then: Uint8Array | null = null, block: FieldBlock | null = null): Uint8Array {
  composeRequestHead(method, target, authority, headers, body, then, block)
  return composedView()
}

/**
 * requestHeadBytes without the view: the head is `composed` until the next one is made, for a
 * transport that takes a range of the slab (Transport.writeRange). Give its space back with
 * rangeWritten() once written.
 */
export function composeRequestHead(method: string, target: string, authority: string, headers: Headers, body: RequestFraming, then: Uint8Array | null = null, block: FieldBlock | null = null): void {
  if (typeof body === 'number' && (!Number.isSafeInteger(body) || body < 0)) throw new RangeError(`not a body length: ${body}`)
  beginHead()
  sawHost = false
  try {
    put(method)
    put(' ')
    put(target)
    put(' HTTP/1.1\r\n')
    headers.forEach(putField)
    if (block !== null) {
      if (block.prepared !== null) putBytes(block.prepared)
      const pairs = block.pairs
      for (let i = 0; i < pairs.length; i += 2) {
        put(pairs[i]!)
        put(': ')
        put(pairs[i + 1]!)
        putCrlf()
      }
    }
    if (!sawHost) {
      put('host: ')
      put(authority)
      putCrlf()
    }
    if (body === 'chunked') put('transfer-encoding: chunked\r\n')
    else if (typeof body === 'number') {
      put('content-length: ')
      put(String(body))
      putCrlf()
    } else if (method === 'POST' || method === 'PUT' || method === 'PATCH') put('content-length: 0\r\n')
    putCrlf()
    if (then !== null) putBytes(then)
  } catch (error) {
    abandonHead()
    throw error
  }
  endHead()
}
