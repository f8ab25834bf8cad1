// The shipped HTTP/1.1 client (src/http1/client.ts) over an in-memory transport: each request
// written is answered, a microtask later, with the head and body bench/upstream.ts sends for
// /service/1 (as Bun.serve spells it). No sockets, so what is measured is the client's own JS: the
// objects and bytes an exchange allocates (request-heap.ts `client`), its CPU (client-cost.ts `memory`).
// `park` holds the answers back until `release`, for the live-object view of requests in flight.

import { createHttp1Client } from '../src/http1/client.ts'
import type { Transport, TransportEvents } from '../src/http1/transport.ts'

const BODY = 'edgeway bench upstream: a small fixed body, about ninety bytes long, for req/s runs......\n'
const ANSWER = new TextEncoder().encode(`HTTP/1.1 200 OK\r\nContent-Type: text/plain;charset=utf-8\r\nDate: Thu, 03 Dec 2026 08:00:00 GMT\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`)

let parked: (() => void)[] | undefined

/** Answers are held until release() from now on. */
export function park(): void {
  parked ??= []
}

export function parkedCount(): number {
  return parked?.length ?? 0
}

/** Sends every held answer, and answers at once again. */
export function release(): void {
  const held = parked ?? []
  parked = undefined
  for (const go of held) go()
}

class MemoryTransport implements Transport {
  events: TransportEvents | undefined = undefined
  closed = false
  /** As Bun's transport (src/adapter/bun-transport.ts): nothing written is kept. */
  readonly copiesWrites = true
  readonly #answer = () => {
    // A fresh copy per answer: transports never reuse bytes they handed over (transport.ts).
    if (!this.closed) this.events?.data(ANSWER.slice())
  }
  write(_bytes: Uint8Array): boolean {
    if (parked) parked.push(this.#answer)
    else queueMicrotask(this.#answer)
    return true
  }
  writeRange(bytes: Uint8Array, _start: number, _end: number): boolean {
    return this.write(bytes)
  }
  pause(): void {}
  resume(): void {}
  destroy(): void {
    this.closed = true
    this.events = undefined
  }
}

/** The client's fetch, every connection an in-memory one. */
export const memoryClient = createHttp1Client({ dial: () => Promise.resolve(new MemoryTransport()) })
