// A served request's headers on Deno, read once and editable in plain JS. Deno's are immutable,
// each get() or has() on them is a case-folding scan of the whole list (~125 ns; a traced request
// asks ~17 times across the phases and the tracer), each forEach() a fresh sorted, combined copy
// (~430 ns, twice a request), and the proxy had to copy them into a fresh Headers to forward them
// (a native append per header, then ~7 native set()s of ~300 ns for x-request-id, x-forwarded-proto,
// the expected timeout and the B3 ids). The serve adapter hands the proxy this snapshot instead:
// one forEach when the request arrives, then Map and array work, edited in place as Bun's are
// (Runtime.headersEditable). It answers as a Headers holding the same fields would on Deno: the
// same names, values, sorted and combined order, and the same TypeErrors for invalid names and values.

import { isToken } from '../http1/codec.ts'

/** Names already checked, as given → lower-cased: the proxy writes the same dozen on every request. */
const checkedNames = new Map<string, string>()

function normalizedName(name: string): string {
  const known = checkedNames.get(name)
  if (known !== undefined) return known
  // Only tchar names (RFC 9110 §5.6.2), as Headers accepts; anything else throws, as Headers does.
  if (!isToken(name)) throw new TypeError(`Header name is not valid: "${name}"`)
  const lower = name.toLowerCase()
  // Bounded: a client's odd spellings must not grow it without end.
  if (checkedNames.size >= 512) checkedNames.clear()
  checkedNames.set(name, lower)
  return lower
}

/** A value as Headers stores it: a ByteString, HTTP whitespace trimmed, no NUL, CR or LF. */
const PLAIN_VALUE = /^(?:[^\t\n\r \x00\u0100-\uffff](?:[^\x00\n\r\u0100-\uffff]*[^\t\n\r \x00\u0100-\uffff])?)?$/
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g

function normalizedValue(input: unknown): string {
  const value = String(input)
  if (PLAIN_VALUE.test(value)) return value
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 255) throw new TypeError(`The provided value "${value}" is not a valid ByteString`)
  }
  const trimmed = value.replace(EDGE_WHITESPACE, '')
  if (/[\x00\n\r]/.test(trimmed)) throw new TypeError(`Header value is not valid: "${trimmed}"`)
  return trimmed
}

/** The Headers interface as Deno's has it (not Bun's extras: this runs on Deno only). */
export class HeaderSnapshot {
  /**
   * [name, value] as forEach gives them: lower-cased, sorted by name, repeats combined (set-cookie
   * kept apart), as Deno's Headers iterate. Kept so by each edit (a forwarded request's dozen
   * fields make a linear walk cheaper than sorting again).
   */
  #pairs: [string, string][] = []
  /** name → value as get() answers (repeated set-cookie joined with ", ", as Headers.get does). */
  readonly #values = new Map<string, string>()

  constructor(source: Headers) {
    source.forEach(this.#add, this)
    // Deno's forEach is sorted already; another runtime's (Bun lists set-cookie last) is sorted here,
    // stably, so the edits' walks find their place.
    const pairs = this.#pairs
    for (let i = 1; i < pairs.length; i++) {
      if (pairs[i - 1]![0] > pairs[i]![0]) {
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        break
      }
    }
  }

  #add(value: string, name: string): void {
    this.#pairs.push([name, value])
    const earlier = this.#values.get(name)
    this.#values.set(name, earlier === undefined ? value : `${earlier}, ${value}`)
  }

  /** Where `name` is in #pairs, or where it would go (first pair with a greater name). */
  #find(name: string): number {
    const pairs = this.#pairs
    let i = 0
    while (i < pairs.length && pairs[i]![0] < name) i++
    return i
  }

  /** The one pair of `name` (not set-cookie) now holds `value`. */
  #put(name: string, value: string, exists: boolean): void {
    const at = this.#find(name)
    if (exists) this.#pairs[at]![1] = value
    else this.#pairs.splice(at, 0, [name, value])
  }

  /** Drops every pair of `name`. */
  #drop(name: string): void {
    const at = this.#find(name)
    let end = at
    while (end < this.#pairs.length && this.#pairs[end]![0] === name) end++
    this.#pairs.splice(at, end - at)
  }

  get(name: string): string | null {
    // The proxy asks in lower case; any other spelling is checked and folded as Headers does.
    const value = this.#values.get(name)
    if (value !== undefined) return value
    const normalized = normalizedName(name)
    return normalized === name ? null : (this.#values.get(normalized) ?? null)
  }

  has(name: string): boolean {
    if (this.#values.has(name)) return true
    const normalized = normalizedName(name)
    return normalized !== name && this.#values.has(normalized)
  }

  set(name: string, value: string): void {
    const key = normalizedName(name)
    const normalized = normalizedValue(value)
    const exists = this.#values.has(key)
    this.#values.set(key, normalized)
    if (key !== 'set-cookie') return this.#put(key, normalized, exists)
    if (exists) this.#drop(key)
    this.#put(key, normalized, false)
  }

  append(name: string, value: string): void {
    const key = normalizedName(name)
    const normalized = normalizedValue(value)
    const earlier = this.#values.get(key)
    const combined = earlier === undefined ? normalized : `${earlier}, ${normalized}`
    this.#values.set(key, combined)
    if (key !== 'set-cookie') return this.#put(key, combined, earlier !== undefined)
    // Each cookie its own pair, after the earlier ones.
    let at = this.#find(key)
    while (at < this.#pairs.length && this.#pairs[at]![0] === key) at++
    this.#pairs.splice(at, 0, [key, normalized])
  }

  delete(name: string): void {
    const key = normalizedName(name)
    if (this.#values.delete(key)) this.#drop(key)
  }

  getSetCookie(): string[] {
    const cookies: string[] = []
    for (const [name, value] of this.#pairs) if (name === 'set-cookie') cookies.push(value)
    return cookies
  }

  forEach(callback: (value: string, name: string, parent: HeaderSnapshot) => void, thisArg?: unknown): void {
    const pairs = this.#pairs
    for (let i = 0; i < pairs.length; i++) callback.call(thisArg, pairs[i]![1], pairs[i]![0], this)
  }

  entries(): HeadersIterator<[string, string]> {
    return this.#pairs.map(([name, value]): [string, string] => [name, value])[Symbol.iterator]() as HeadersIterator<[string, string]>
  }

  keys(): HeadersIterator<string> {
    return this.#pairs.map(([name]) => name)[Symbol.iterator]() as HeadersIterator<string>
  }

  values(): HeadersIterator<string> {
    return this.#pairs.map(([, value]) => value)[Symbol.iterator]() as HeadersIterator<string>
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries()
  }

  get [Symbol.toStringTag](): string {
    return 'Headers'
  }
}

/** Replaces `request.headers` on this one request (an own property over the prototype's getter). */
export function snapshotHeaders(request: Request): void {
  Object.defineProperty(request, 'headers', { value: new HeaderSnapshot(request.headers) as unknown as Headers, configurable: true })
}
