// An upstream answer's fields as the byte listener writes them (upstream-answer.ts): one flat
// name/value array in the order they arrived, edited in place, answering as a Headers would for the
// calls the response path makes. Not HeaderSnapshot: that one sorts by name, as Headers.forEach
// does, and the listener must write the order the runtime's server writes on Bun (the order fields were set in: the
// proxy's `server` and service time where the upstream had its own, else after its fields;
// test/integration/forwarded-head-parity.test.ts), which is what this array keeps.

import { normalizedName as nameOf, normalizedValue as valueOf } from './header-values.ts'

export class AnswerFields {
  /** name, value, name, value… lower-cased names, repeats apart, in arrival (then set) order. */
  #fields: string[]

  /** `fields`: a parsed head's (lower-cased, checked), copied: the reader's array is the next head's. */
  constructor(fields: readonly string[]) {
    this.#fields = fields.slice()
  }

  #index(name: string): number {
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return i
    return -1
  }

  get(name: string): string | null {
    let at = this.#index(name)
    if (at < 0) {
      const lower = nameOf(name)
      if (lower === name || (at = this.#index(lower)) < 0) return null
      name = lower
    }
    const fields = this.#fields
    let value = fields[at + 1]!
    for (let i = at + 2; i < fields.length; i += 2) if (fields[i] === name) value += `, ${fields[i + 1]!}`
    return value
  }

  has(name: string): boolean {
    return this.#index(name) >= 0 || this.#index(nameOf(name)) >= 0
  }

  /** Replaces the first field of `name` in its place (the later ones go), or adds it at the end. */
  set(name: string, value: string): void {
    const key = nameOf(name)
    const normalized = valueOf(value)
    const at = this.#index(key)
    if (at < 0) {
      this.#fields.push(key, normalized)
      return
    }
    this.#fields[at + 1] = normalized
    this.#removeAfter(at + 2, key)
  }

  append(name: string, value: string): void {
    this.#fields.push(nameOf(name), valueOf(value))
  }

  delete(name: string): void {
    this.#removeAfter(0, nameOf(name))
  }

  /** Drops every field named `name` from `from` on, in one pass. */
  #removeAfter(from: number, name: string): void {
    const fields = this.#fields
    let out = from
    for (let i = from; i < fields.length; i += 2) {
      if (fields[i] === name) continue
      fields[out] = fields[i]!
      fields[out + 1] = fields[i + 1]!
      out += 2
    }
    fields.length = out
  }

  getSetCookie(): string[] {
    const cookies: string[] = []
    const fields = this.#fields
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'set-cookie') cookies.push(fields[i + 1]!)
    return cookies
  }

  /**
   * Each field in order, a name's repeats joined at its first place (set-cookie apart), set-cookie
   * first: the order the runtime's server writes a Response's fields in (src/adapter/bun-response-fields.ts).
   */
  forEach(callback: (value: string, name: string, parent: AnswerFields) => void, thisArg?: unknown): void {
    const fields = this.#fields
    let repeats = false
    let cookies = false
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!
      if (name === 'set-cookie') cookies = true
      else if (!repeats) for (let j = i + 2; j < fields.length; j += 2) if (fields[j] === name) repeats = true
    }
    if (cookies) for (let i = 0; i < fields.length; i += 2) if (fields[i] === 'set-cookie') callback.call(thisArg, fields[i + 1]!, 'set-cookie', this)
    for (let i = 0; i < fields.length; i += 2) {
      const name = fields[i]!
      if (name === 'set-cookie') continue
      if (!repeats) {
        callback.call(thisArg, fields[i + 1]!, name, this)
        continue
      }
      if (this.#index(name) !== i) continue // joined at its first place
      callback.call(thisArg, this.get(name)!, name, this)
    }
  }

  entries(): HeadersIterator<[string, string]> {
    const pairs: [string, string][] = []
    this.forEach((value, name) => pairs.push([name, value]))
    return pairs[Symbol.iterator]() as HeadersIterator<[string, string]>
  }

  [Symbol.iterator](): HeadersIterator<[string, string]> {
    return this.entries()
  }

  get [Symbol.toStringTag](): string {
    return 'Headers'
  }
}
