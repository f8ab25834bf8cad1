// The fields an attempt sends upstream, kept in two parts (runtime.ts SplitFields): the client's
// Headers as edited for forwarding, and a block of the fields the proxy adds whose names the
// client did not send. On Bun each such field cost a native set() (~100 ns) and a second native
// walk when the head was written (~80 ns); the HTTP/1.1 client writes the block after the
// Headers' fields instead (bench/README "Proxy-added upstream fields as a block"). Every other
// reader asks headers(), which sets the block into the Headers once: from then on there is one
// place again, and every edit goes there.

import { encodeLatin1 } from '../../http1/latin1.ts'
import type { SplitFields } from '../../runtime.ts'

/** Fields whose names and values are fixed for a listener's route: their bytes made once. */
export class PreparedFields {
  /** `name: value\r\n` for each pair, as the HTTP/1.1 client writes them. */
  readonly bytes: Uint8Array

  /** `pairs`: name, value, name, value... (lower-case names; values the proxy's own, never a client's). */
  constructor(readonly pairs: readonly string[]) {
    let text = ''
    for (let i = 0; i < pairs.length; i += 2) text += `${pairs[i]}: ${pairs[i + 1]}\r\n`
    this.bytes = encodeLatin1(text)
  }

  has(name: string): boolean {
    const pairs = this.pairs
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return true
    return false
  }
}

/**
 * A route's constant block in its forms: with x-forwarded-proto or not (the client may have sent
 * its own), with x-envoy-expected-rq-timeout-ms or not (a listener that trusts x-envoy-* fields
 * may have received one). Made when the route's plan is, so a request only picks one.
 */
export class ConstantFields {
  readonly #forms: readonly (PreparedFields | null)[]

  /** `proto`: x-forwarded-proto as this listener sets it; `expectedTimeout`: undefined for none. */
  constructor(proto: string, expectedTimeout: string | undefined) {
    const form = (withProto: boolean, withTimeout: boolean): PreparedFields | null => {
      const pairs: string[] = []
      if (withProto) pairs.push('x-forwarded-proto', proto)
      if (withTimeout && expectedTimeout !== undefined) pairs.push('x-envoy-expected-rq-timeout-ms', expectedTimeout)
      return pairs.length === 0 ? null : new PreparedFields(pairs)
    }
    this.#forms = [form(false, false), form(true, false), form(false, true), form(true, true)]
  }

  /** The block with the fields named; null when it holds none. */
  of(proto: boolean, expectedTimeout: boolean): PreparedFields | null {
    return this.#forms[(proto ? 1 : 0) + (expectedTimeout ? 2 : 0)]!
  }
}

const MERGED: readonly string[] = []

export class UpstreamFields implements SplitFields {
  prepared: Uint8Array | null
  /** name, value, ...: fields the proxy added per request (x-request-id, B3...), names absent from `base`. */
  pairs: string[]
  #constant: PreparedFields | null
  #merged = false

  /** `constant`: names absent from `base` too. */
  constructor(
    readonly base: Headers,
    constant: PreparedFields | null = null,
  ) {
    this.#constant = constant
    this.prepared = constant === null ? null : constant.bytes
    this.pairs = []
  }

  /** Every field in one Headers (`base`, with the block set into it the first time). */
  headers(): Headers {
    if (!this.#merged) this.#merge()
    return this.base
  }

  /**
   * Sets a field whose name the caller knows `base` does not hold (it did not arrive, or was
   * dropped): it goes into the block, replacing the block's own field of that name. The HTTP/1.1
   * client writes the value unchecked, so it must be one a Headers holds as is: the proxy's own
   * (ids, addresses, digits), or a trimmed piece of a client's field (an x-forwarded-for entry).
   */
  add(name: string, value: string): void {
    if (this.#merged) return this.base.set(name, value)
    const pairs = this.pairs
    for (let i = 0; i < pairs.length; i += 2) {
      if (pairs[i] === name) {
        pairs[i + 1] = value
        return
      }
    }
    pairs.push(name, value)
  }

  /** As Headers.set, for a name `base` may hold. */
  set(name: string, value: string): void {
    if (!this.#merged) {
      const at = this.#pairAt(name)
      if (at >= 0) {
        this.pairs[at + 1] = value
        return
      }
      if (this.#constant?.has(name)) this.#merge()
    }
    this.base.set(name, value)
  }

  /** As Headers.delete, wherever the field is. */
  delete(name: string): void {
    if (!this.#merged) {
      const at = this.#pairAt(name)
      if (at >= 0) this.pairs.splice(at, 2)
      if (this.#constant?.has(name)) this.#merge()
    }
    this.base.delete(name)
  }

  #pairAt(name: string): number {
    const pairs = this.pairs
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === name) return i
    return -1
  }

  #merge(): void {
    this.#merged = true
    const { base } = this
    const constant = this.#constant
    if (constant !== null) for (let i = 0; i < constant.pairs.length; i += 2) base.set(constant.pairs[i]!, constant.pairs[i + 1]!)
    const pairs = this.pairs
    for (let i = 0; i < pairs.length; i += 2) base.set(pairs[i]!, pairs[i + 1]!)
    this.#constant = null
    this.prepared = null
    this.pairs = MERGED as string[]
  }
}
