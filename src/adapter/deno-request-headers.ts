// A served request's headers on Deno, read once. Deno's are immutable, and each get() or has() on
// them is a case-folding scan of the whole list (~125 ns; a traced request asks ~17 times across
// the phases and the tracer), each forEach() a fresh sorted, combined copy (~430 ns, twice a
// request). The serve adapter hands the proxy this snapshot instead: one forEach when the request
// arrives, then plain Map and array reads. It answers exactly as the Headers it was taken from
// (same names, values, order, combining), and refuses changes as they do.

/** The lower-cased tchar names Headers accepts (RFC 9110 §5.6.2); anything else throws, as Headers does. */
const TCHAR = new Uint8Array(128)
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TCHAR[c.charCodeAt(0)] = 1

function normalizedName(name: string): string {
  if (name.length === 0) throw new TypeError(`Header name is not valid: "${name}"`)
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i)
    if (code > 127 || TCHAR[code] !== 1) throw new TypeError(`Header name is not valid: "${name}"`)
  }
  return name.toLowerCase()
}

function immutable(): never {
  throw new TypeError('Cannot change headers: headers are immutable')
}

/** The Headers interface as Deno's has it (not Bun's extras: this runs on Deno only). */
export class HeaderSnapshot {
  /** [name, value] as the source's forEach gave them: lower-cased, sorted, combined (set-cookie kept apart). */
  readonly #pairs: [string, string][] = []
  /** name → value as get() answers (repeated set-cookie joined with ", ", as Headers.get does). */
  readonly #values = new Map<string, string>()

  constructor(source: Headers) {
    source.forEach(this.#add, this)
  }

  #add(value: string, name: string): void {
    this.#pairs.push([name, value])
    const earlier = this.#values.get(name)
    this.#values.set(name, earlier === undefined ? value : `${earlier}, ${value}`)
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

  append(_name: string, _value: string): void {
    immutable()
  }

  set(_name: string, _value: string): void {
    immutable()
  }

  delete(_name: string): void {
    immutable()
  }

  get [Symbol.toStringTag](): string {
    return 'Headers'
  }
}

/** Replaces `request.headers` on this one request (an own property over the prototype's getter). */
export function snapshotHeaders(request: Request): void {
  Object.defineProperty(request, 'headers', { value: new HeaderSnapshot(request.headers) as unknown as Headers, configurable: true })
}
