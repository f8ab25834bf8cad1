// What lets a listener drain without dropping anything: a count of requests in flight (until their
// response head is handed to the runtime; the runtime's graceful close then waits for the bodies)
// and `connection: close` on every response while the server asks clients to go away.

import type { ConnInfo, ListenerHandler, ProxyRequest, ProxyResponse } from '../runtime.ts'

export class InFlight {
  #count = 0
  #waiters: (() => void)[] = []

  get count(): number {
    return this.#count
  }

  enter(): void {
    this.#count++
  }

  leave(): void {
    if (--this.#count === 0) for (const wake of this.#waiters.splice(0)) wake()
  }

  /** Resolves when nothing is in flight (at once if nothing is). */
  idle(): Promise<void> {
    return this.#count === 0 ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve))
  }
}

export type DrainControl = {
  readonly inFlight: InFlight
  /** True while responses should close their connection. */
  readonly closeConnections: () => boolean
  /** Counts `downstream_cx_drain_close` on the listener. */
  readonly onDrainClose: () => void
}

/** Wraps a listener's handler: counts it in flight and marks responses `connection: close` while draining. */
export function drainable(handler: ListenerHandler, control: DrainControl): ListenerHandler {
  const { inFlight } = control
  const settle = (request: ProxyRequest, response: ProxyResponse): ProxyResponse => {
    inFlight.leave()
    if (!control.closeConnections()) return response
    control.onDrainClose()
    // A client that asked to close is closed anyway (and Deno would repeat the header).
    if (/close/i.test(request.headers.get('connection') ?? '')) return response
    return withConnectionClose(response)
  }
  const fail = (error: unknown): never => {
    inFlight.leave()
    throw error
  }
  return (request: ProxyRequest, conn: ConnInfo) => {
    inFlight.enter()
    let result: ProxyResponse | Promise<ProxyResponse>
    try {
      result = handler(request, conn)
    } catch (error) {
      return fail(error)
    }
    // A promise or an answer (a Response, or an upstream answer record under the byte listener).
    return result instanceof Promise ? result.then((response) => settle(request, response), fail) : settle(request, result)
  }
}

function withConnectionClose(response: ProxyResponse): ProxyResponse {
  try {
    response.headers.set('connection', 'close')
    return response
  } catch {
    // Immutable headers (a Response the handler did not build): copy them.
    const headers = new Headers(response.headers as HeadersInit)
    headers.set('connection', 'close')
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}
