// Why a downstream connection's reading is paused, each reason apart: a request body's reader
// being behind, too many bytes held behind the request in flight, or the loop having stopped
// reading for good (a refused head or body). Reading resumes only once no reason is left, so one
// lifting (the body's reader catching up) never resumes a connection another still holds.

import type { BodyFlow } from './request-body-source.ts'

/** The body's stream is full. */
export const BODY_FULL = 1
/** More than a head's cap is held behind the request in flight. */
export const HELD_FULL = 2
/** Nothing after this can be framed: never released. */
export const STOPPED = 4

export class ReadGate {
  readonly #flow: BodyFlow
  #reasons = 0

  constructor(flow: BodyFlow) {
    this.#flow = flow
  }

  hold(reason: number): void {
    const before = this.#reasons
    this.#reasons |= reason
    if (before === 0 && this.#reasons !== 0) this.#flow.pause()
  }

  release(reason: number): void {
    if ((this.#reasons & reason) === 0) return
    this.#reasons &= ~reason
    if (this.#reasons === 0) this.#flow.resume()
  }
}
