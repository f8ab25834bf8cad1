// A request's headers read once into one flat array and editable in plain JS, answering as a
// Headers holding the same fields would (the same names, values, sorted and combined order, the
// same TypeErrors for invalid names and values). Runtime-neutral: the Deno serve adapter takes one
// from Deno's immutable request headers (src/adapter/deno-request-headers.ts, where the costs it
// saves are measured), the byte-level listener straight from a parsed head's fields (fromFields).

import { normalizedName, normalizedValue } from './header-values.ts'

/** The Headers interface as Deno's has it (not Bun's extras: the proxy path calls none of them). */
export class HeaderSnapshot {
  /**
   * name, value, name, value... as forEach gives them: lower-cased, sorted by name, repeats
   * combined (set-cookie kept apart), as Deno's Headers iterate. Kept so by each edit. One flat
   * array and linear walks, no Map and no array per field: a request's dozen fields are found
   * faster by a walk than the Map and pairs were built (a browser's nine fields: ~250–420 → ~100–150 ns).
   */
  #fields: string[] = []

  constructor(source: Pick<Headers, 'forEach'>) {
    source.forEach(this.#add, this)
    // Deno's forEach is sorted already; another runtime's (Bun lists set-cookie last) is sorted here,
    // stably, so the edits' walks find their place.
    const fields = this.#fields
    for (let i = 2; i < fields.length; i += 2) {
      if (fields[i - 2]! > fields[i]!) {
        const pairs: [string, string][] = []
        for (let j = 0; j < fields.length; j += 2) pairs.push([fields[j]!, fields[j + 1]!])
        pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        this.#fields = pairs.flat()
        break
      }
    }
  }

  #add(value: string, name: string): void {
    this.#fields.push(name, value)
  }

  /**
   * From a parsed head's flat fields (lower-cased names, values trimmed, repeats apart, in arrival
   * order: RequestHeadRecord.fields), copied (the record is reused by the next head), sorted and
   * with repeats joined by ", " (set-cookie kept apart), as a runtime's Headers hands them over:
   * no Headers in between. The parser checked every name and value already.
   */
  static fromFields(fields: readonly string[]): HeaderSnapshot {
    const snapshot = new HeaderSnapshot(NO_FIELDS)
    let sorted = true
    for (let i = 2; i < fields.length; i += 2) {
      if (fields[i - 2]! >= fields[i]!) {
        sorted = false
        break
      }
    }
    if (sorted) {
      snapshot.#fields = fields.slice()
      return snapshot
    }
    const pairs: [string, string][] = []
    for (let j = 0; j < fields.length; j += 2) pairs.push([fields[j]!, fields[j + 1]!])
    // Array.prototype.sort is stable: repeats keep their arrival order, as Headers joins them.
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    const out = snapshot.#fields
    for (const [name, value] of pairs) {
      const last = out.length - 2
      if (last >= 0 && out[last] === name && name !== 'set-cookie') out[last + 1] = `${out[last + 1]!}, ${value}`
      else out.push(name, value)
    }
    return snapshot
  }

  /** Where `name`'s first field is, or -1. */
  #index(name: string): number {
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return i
    return -1
  }

  /** Where `name` would go: the first field with a greater or equal name. */
  #find(name: string): number {
    const fields = this.#fields
    let i = 0
    while (i < fields.length && fields[i]! < name) i += 2
    return i
  }

  /** How many fields from `at` on carry `name` (they are adjacent: the list is sorted). */
  #run(at: number, name: string): number {
    const fields = this.#fields
    let end = at
    while (end < fields.length && fields[end] === name) end += 2
    return (end - at) / 2
  }

  /** The value get() answers for the lower-cased `name`, or undefined: repeats joined with ", ", as Headers.get does. */
  #value(name: string): string | undefined {
    const at = this.#index(name)
    if (at < 0) return undefined
    const fields = this.#fields
    let value = fields[at + 1]!
    for (let i = at + 2; i < fields.length && fields[i] === name; i += 2) value += `, ${fields[i + 1]!}`
    return value
  }

  /** `name` (lower-cased) has exactly one field now, holding `value`. */
  #put(name: string, value: string): void {
    const at = this.#find(name)
    const run = this.#fields[at] === name ? this.#run(at, name) : 0
    if (run === 1) this.#fields[at + 1] = value
    else {
      if (run > 1) this.#remove(at + 2, run - 1)
      else this.#insert(at, name)
      this.#fields[at + 1] = value
    }
  }

  // Moves by hand rather than splice(): splice makes an array of what it removed on every call, and
  // each request inserts several fields (x-request-id, x-forwarded-proto, the B3 ids...).

  /** Opens a field at `at` named `name` (its value is the caller's to set). */
  #insert(at: number, name: string): void {
    const fields = this.#fields
    // Grown by push first: writing past the end would leave a hole, and a holey array stays slower.
    fields.push(name, name)
    for (let i = fields.length - 3; i >= at; i--) fields[i + 2] = fields[i]!
    fields[at] = name
  }

  /** Drops `count` fields from `at` on. */
  #remove(at: number, count: number): void {
    const fields = this.#fields
    const n = 2 * count
    for (let i = at + n; i < fields.length; i++) fields[i - n] = fields[i]!
    fields.length -= n
  }

  get(name: string): string | null {
    // The proxy asks in lower case; any other spelling is checked and folded as Headers does.
    const value = this.#value(name)
    if (value !== undefined) return value
    const normalized = normalizedName(name)
    return normalized === name ? null : (this.#value(normalized) ?? null)
  }

  has(name: string): boolean {
    if (this.#index(name) >= 0) return true
    const normalized = normalizedName(name)
    return normalized !== name && this.#index(normalized) >= 0
  }

  set(name: string, value: string): void {
    this.#put(normalizedName(name), normalizedValue(value))
  }

  append(name: string, value: string): void {
    const key = normalizedName(name)
    const normalized = normalizedValue(value)
    if (key !== 'set-cookie') {
      const earlier = this.#value(key)
      return this.#put(key, earlier === undefined ? normalized : `${earlier}, ${normalized}`)
    }
    // Each cookie its own field, after the earlier ones.
    const at = this.#find(key)
    const end = at + 2 * this.#run(at, key)
    this.#insert(end, key)
    this.#fields[end + 1] = normalized
  }

  delete(name: string): void {
    const key = normalizedName(name)
    const at = this.#find(key)
    const run = this.#run(at, key)
    if (run > 0) this.#remove(at, run)
  }

  getSetCookie(): string[] {
    const cookies: string[] = []
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'set-cookie') cookies.push(fields[i + 1]!)
    return cookies
  }

  forEach(callback: (value: string, name: string, parent: HeaderSnapshot) => void, thisArg?: unknown): void {
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) callback.call(thisArg, fields[i + 1]!, fields[i]!, this)
  }

  entries(): HeadersIterator<[string, string]> {
    const pairs: [string, string][] = []
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) pairs.push([fields[i]!, fields[i + 1]!])
    return pairs[Symbol.iterator]() as HeadersIterator<[string, string]>
  }

  keys(): HeadersIterator<string> {
    return this.#fields.filter((_, i) => i % 2 === 0)[Symbol.iterator]() as HeadersIterator<string>
  }

  values(): HeadersIterator<string> {
    return this.#fields.filter((_, i) => i % 2 === 1)[Symbol.iterator]() as HeadersIterator<string>
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries()
  }

  get [Symbol.toStringTag](): string {
    return 'Headers'
  }
}


/** fromFields's empty source: its constructor walks nothing. */
const NO_FIELDS: Pick<Headers, 'forEach'> = { forEach() {} }
